"""Where a per-item lookup sits in its loop, and whether it may move in front of it.

Both the loop-query analysis (a query written in the loop) and the call analysis (a loop
that calls a project function running the query) ask the same questions of the loop: which
frame makes the key change, how to list every key before the loop, where the batch goes,
and what the body does that forbids or weakens the move. The answers live here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from n1fix.analysis.dict_items import dict_targets, undeclared_targets
from n1fix.analysis.hoist_guards import (
    Guard,
    guards_on_path,
    hoisting_hazard,
    is_invariant,
)
from n1fix.analysis.item_facts import (
    bindings,
    loaded_collection,
    reiterable,
    returned_collection,
    str_targets,
)
from n1fix.analysis.item_keys import changed_in_loop, judge_key
from n1fix.analysis.loop_safety import early_exit, has_continue, inspect_body, runs_once
from n1fix.analysis.model_writes import MethodWrite, model_method_write
from n1fix.analysis.relationship_writes import relationship_write
from n1fix.analysis.rebound_target import rebound_key, restate_bound_names
from n1fix.analysis.skipped_items import item_filters
from n1fix.cst.chains import dotted_name
from n1fix.cst.loop_frames import (
    Frame,
    hoist_anchor,
    is_conditional_in,
    makes_conditional,
)
from n1fix.cst.syntax import names_assigned, names_read, target_names, walk

# Calls that consume a generator at once, so hoisting its query does not change timing.
CONSUMERS = {
    "list",
    "tuple",
    "set",
    "frozenset",
    "dict",
    "sum",
    "any",
    "all",
    "min",
    "max",
    "sorted",
}


@dataclass
class Placement:
    """A per-item key in its loop, and where and how its batch would go."""

    frame: Frame
    key: cst.BaseExpression  # the key as written at the lookup
    keys_key: cst.BaseExpression  # the same key in terms of the loop target only
    items: cst.BaseExpression  # the collection the keys are read from
    item_target: cst.BaseExpression  # the name each item is bound to when reading keys
    varying: set[str]  # names that change per item of this frame and those inside it
    anchor_index: int = -1  # the ancestry index of the statement the batch goes before
    keys_filter: list[cst.BaseExpression] = field(default_factory=list)
    unsafe: list[str] = field(
        default_factory=list
    )  # why the move is only an unsafe fix
    iter_reiterable: bool = True
    # Loop-invariant conditions the query ran under, which the batch must run under too.
    batch_guards: list[Guard] = field(default_factory=list)


class NoFix(Exception):
    """The lookup runs per item, but cannot be moved; the message says why."""

    def __init__(self, reason: str, frame: Frame | None = None) -> None:
        super().__init__(reason)
        self.frame = frame  # the loop that makes it run per item, when known


def place_key(
    ctx, frames: list[Frame], key_expr: cst.BaseExpression, ancestry
) -> Placement:
    """The frame whose items drive `key_expr`, and the key restated in terms of its item."""
    varying_all = set().union(*(f.varying for f in frames))
    key_names = names_read(key_expr) & varying_all
    frame = [f for f in frames if f.varying & key_names][-1]
    inner = frames[frames.index(frame) :]
    varying_here = set().union(*(f.varying for f in inner))
    outer = set().union(*(f.varying for f in frames[: frames.index(frame)]))
    if (key_names - frame.varying) & outer:
        raise NoFix(frame=frame, reason="the key combines items of nested loops")
    # A loop variable the body rebinds (`item_id = int(item_id)`) is no longer the item:
    # the key is restated as the value it is rebound to (`rebound_target`).
    rebound = (
        key_names & frame.targets & names_assigned(frame.node.body)
        if frame.is_for
        else set()
    )

    def invariant(name: str) -> bool:
        return name not in varying_all

    keys_key = key_expr
    if rebound:
        why = None
        if key_names <= frame.targets:
            keys_key, why = rebound_key(
                ctx, key_expr, rebound, frame, ancestry, invariant
            )
        if keys_key is None or not key_names <= frame.targets:
            raise NoFix(
                frame=frame,
                reason=f"the loop body rebinds `{sorted(rebound)[0]}` before the query; the key is not the item as iterated"
                + (f" ({why})" if why else ""),
            )
    elif not key_names <= frame.targets:
        keys_key, why = _substitute_body_names(
            ctx, key_expr, key_names - frame.targets, frame, ancestry, invariant
        )
        if keys_key is None:
            raise NoFix(
                frame=frame,
                reason="the key is computed in the loop body in a way n1fix cannot repeat before the loop"
                + (f" ({why})" if why else ""),
            )
    facts = judge_key(
        keys_key,
        frame,
        invariant,
        ctx.module,
        local=lambda name: bool(bindings(name, ancestry, comprehensions=False)),
        str_names=str_targets(frame, ancestry),
        dict_names=dict_targets(frame, ancestry),
        undeclared_names=undeclared_targets(frame, ancestry),
    )
    if facts.problem:
        raise NoFix(
            frame=frame,
            reason=f"the key `{ctx.code(key_expr)}` is not a pure function of the item: {facts.problem}",
        )
    if facts.raises and _inside_try(ancestry, frame):
        raise NoFix(
            frame=frame,
            reason=f"the key `{ctx.code(key_expr)}` may raise inside a `try` of the loop; the batch would compute it outside",
        )
    items, item_target = _items_of(frame, keys_key)
    if frame.is_async:
        raise NoFix(frame=frame, reason="`async for` loops are not batched yet")
    return Placement(
        frame,
        key_expr,
        keys_key,
        items,
        item_target,
        varying_here,
        unsafe=[*facts.raises, *facts.unsure],
    )


def _inside_try(ancestry, frame: Frame) -> bool:
    """Is the lookup inside a `try` of the loop's body (its errors handled per item)?"""
    return any(
        isinstance(node, (cst.Try, cst.TryStar)) for node in ancestry[frame.index + 1 :]
    )


def runs_once_per_loop(placement: Placement, ancestry) -> bool:
    """Does the loop body always leave after its first item (so there is no N+1)?"""
    frame = placement.frame
    return frame.is_for and runs_once(ancestry[frame.index + 1 :])


def place_body(
    ctx,
    placement: Placement,
    ancestry,
    *,
    site: cst.CSTNode,
    session_code: str,
    columns: set[str],
    reads_only=None,
    returns_of=None,
    hoisted: list[cst.CSTNode] = (),
    harmless_write=None,
) -> None:
    """Find where the batch goes, and judge the loop body for the hoisting contract.

    Fills `anchor_index`, `keys_filter`, `unsafe` and `iter_reiterable`; raises NoFix when
    the move is not allowed at all.
    """
    frame = placement.frame
    anchor_index, anchor_problem = hoist_anchor(ancestry, frame)
    if anchor_index is None:
        raise NoFix(anchor_problem)
    site_index = len(ancestry) - 1
    body = frame.node.body if frame.is_for else frame.node
    verdict = inspect_body(
        body,
        session_code=session_code,
        code_of=ctx.code,
        iterable=frame.first_iter,
        query_columns=columns,
        query=site,
        reads_only=reads_only,
        writes_of=lambda node: _loop_write(ctx, node, ancestry),
        harmless_write=harmless_write,
    )
    if verdict.blocking:
        raise NoFix(verdict.blocking)
    guards = guards_on_path(ancestry, anchor_index, site_index)
    keep, blocked = hoisting_hazard(guards, list(hoisted), placement.varying)
    if blocked is not None:
        condition = ctx.code(blocked.test)
        raise NoFix(
            f"the query runs only {'unless' if blocked.negated else 'when'} `{condition}`, which changes per item "
            "or calls code; the batch would evaluate what that condition protects before the loop, for every item"
        )
    # Conditions the same for every item: the query runs for all items or for none, and
    # the batch runs under them too.
    same_for_all = bool(guards) and all(
        is_invariant(g, placement.varying) for g in guards
    )
    placement.batch_guards = guards if same_for_all else keep
    unsafe = placement.unsafe
    if verdict.weakening:
        unsafe.append(verdict.weakening)
    if frame.is_for:
        exit_reason = early_exit(frame.node.body)
        if exit_reason:
            unsafe.append(exit_reason)
        guard, conditional = _guard(ancestry, frame, site_index, placement.varying)
        skips = (conditional and not same_for_all) or has_continue(
            frame.node.body, before=ancestry[frame.index + 2]
        )
        filters = (
            _skip_filters(ctx, placement, ancestry, site_index)
            if skips or guard is not None
            else None
        )
        if filters is not None:
            placement.keys_filter.extend(filters)
        else:
            if guard is not None and not _changes_in_loop(guard, frame):
                placement.keys_filter.append(guard)
            elif guard is not None:
                skips = True
            if skips:
                _key_read_for_skipped_items(ctx, placement, ancestry)
                unsafe.append(
                    "the query runs only for some items; the batch loads rows for all of them"
                )
    else:
        for clause in frame.clauses:
            for if_ in clause.ifs:
                if not _pure_test(if_.test):
                    unsafe.append(
                        "a comprehension condition calls code that would run twice"
                    )
                placement.keys_filter.append(if_.test)
        if is_conditional_in(ancestry, frame.index, site_index) and not same_for_all:
            _key_read_for_skipped_items(ctx, placement, ancestry)
            unsafe.append(
                "the query runs only for some items; the batch loads rows for all of them"
            )
        if isinstance(frame.node, cst.GeneratorExp) and not _consumed_at_once(
            ancestry, frame.index
        ):
            unsafe.append(
                "the generator runs its queries lazily, as it is consumed; batching runs them at once"
            )
    if is_conditional_in(ancestry, anchor_index, frame.index) and not same_for_all:
        unsafe.append("the loop itself may not run; the batch would")
    placement.anchor_index = anchor_index
    placement.iter_reiterable = (
        reiterable(placement.items, ancestry, anchor_index)
        or loaded_collection(ctx, placement.items, ancestry, frame)
        or returned_collection(placement.items, ancestry, returns_of)
    )


def _key_read_for_skipped_items(ctx, placement: Placement, ancestry) -> None:
    """The key list is read for every item, the skipped ones too: a key that may raise
    for them (`entry["id"]` of an entry without one, `int(x)`, `a.b.c` through a None)
    would raise before the loop where the loop skipped. The item itself, one attribute
    of it, and `.get("field")` of an item shown to be a dict are read safely."""
    key = placement.keys_key
    parts = key.elements if isinstance(key, cst.Tuple) else [key]
    dicts = None
    for part in parts:
        value = part.value if isinstance(part, cst.Element) else part
        if isinstance(value, cst.Name) or (
            isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name)
        ):
            continue
        if dicts is None:
            dicts = dict_targets(placement.frame, ancestry)
        if _dict_field_read(ctx, value, placement.frame, dicts):
            continue
        raise NoFix(
            f"the query runs only for some items, and the key `{ctx.code(value)}` may "
            "raise for the items the loop skips; the batch would read it for every item"
        )


def _dict_field_read(ctx, value, frame: Frame, dicts: frozenset[str]) -> bool:
    """`entry.get("id")` (a literal default allowed) with `entry` shown to hold dicts:
    a read that gives None for a missing field and never raises."""
    if not (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value == "get"
        and isinstance(value.func.value, cst.Name)
        and value.func.value.value in dicts
    ):
        return False
    facts = judge_key(value, frame, lambda name: False, ctx.module, dict_names=dicts)
    return not (facts.problem or facts.raises or facts.unsure)


def _skip_filters(
    ctx, placement: Placement, ancestry, site_index: int
) -> list[cst.BaseExpression] | None:
    """The conditions on the way to the query as a filter of the keys (`skipped_items`)."""
    frame = placement.frame

    def invariant(name: str) -> bool:
        return name not in placement.varying

    def restate(expr: cst.BaseExpression, statement: cst.CSTNode):
        body_names = names_read(expr) & (frame.varying - frame.targets)
        if not body_names:
            return expr
        up_to = [*ancestry[: frame.index + 2], statement]
        restated, _ = _substitute_body_names(
            ctx, expr, body_names, frame, up_to, invariant
        )
        return restated

    dicts = dict_targets(frame, ancestry)

    def pure_call(call: cst.Call) -> bool:
        facts = judge_key(call, frame, invariant, ctx.module, dict_names=dicts)
        return not (facts.problem or facts.raises or facts.unsure)

    return item_filters(
        frame,
        ancestry,
        site_index,
        restate,
        local=lambda name: bool(bindings(name, ancestry, comprehensions=False)),
        pure_call=pure_call,
    )


def _changes_in_loop(test: cst.BaseExpression, frame: Frame) -> bool:
    """Does the loop change a name `test` reads (`if ref.id in allowed:` with
    `allowed.add(...)` in the body)? Then the test read before the loop may differ."""
    return any(
        changed_in_loop(name, frame) for name in names_read(test) - frame.targets
    )


def _substitute_body_names(
    ctx, key, names: set[str], frame: Frame, ancestry, invariant
) -> tuple[cst.BaseExpression | None, str | None]:
    """`pid` -> `project.id` when the loop body binds `pid = project.id` once, before the query.

    Only a `for` body's top-level, single-target assignments of a pure function of the
    loop target count (`pid = str(project.id)`, `level = Level[row.level]`, see
    `item_keys`); anything else (reassignment, a call into the project) could differ per
    item. Gives the key in terms of the item, or None and why not.
    """
    if not frame.is_for:
        return None, None
    return restate_bound_names(ctx, key, names, frame, ancestry, invariant)


def _items_of(frame: Frame, keys_key) -> tuple[cst.BaseExpression, cst.BaseExpression]:
    """Where the keys come from: `for i, p in enumerate(ps)` reads them from `ps` as `p`."""
    if frame.is_for:
        iterable, target = frame.node.iter, frame.node.target
        if (
            isinstance(iterable, cst.Call)
            and dotted_name(iterable.func) == "enumerate"
            and len(iterable.args) == 1
            and iterable.args[0].keyword is None
            and isinstance(target, cst.Tuple)
            and len(target.elements) == 2
        ):
            element = target.elements[1].value
            if names_read(keys_key) <= target_names(element):
                return iterable.args[0].value, element
        return iterable, target
    return frame.clauses[0].iter, frame.clauses[0].target


def _consumed_at_once(ancestry, index: int) -> bool:
    """`sum(x for x in xs)`, `list(...)`, `", ".join(...)`: the generator runs to the end at once."""
    if index < 1:
        return False
    parent = ancestry[index - 1]  # LibCST puts the bare generator in an Arg of the call
    if isinstance(parent, cst.Arg) and index >= 2:
        call = ancestry[index - 2]
        if isinstance(call, cst.Call) and len(call.args) == 1:
            name = dotted_name(call.func)
            if name in CONSUMERS:
                return True
            if isinstance(call.func, cst.Attribute) and call.func.attr.value == "join":
                return True
    return False


# Exceptions that say a row was missing (or several found): the batch query never raises
# them (`filter()`, `in_bulk()`, `select()`), and a lookup that reruns the per-item query
# for a key the batch did not find raises them where it did.
_MISSING_ROW = {"DoesNotExist", "ObjectDoesNotExist", "NoResultFound"}


def _runs_first_in_try(node: cst.CSTNode, below: list[cst.CSTNode]) -> bool:
    """`try:` whose body starts with the query's statement (it runs whenever the `try`
    does) and whose handlers catch only a missing row: the batch, outside the `try`,
    raises nothing they would have caught."""
    if not (isinstance(node, cst.Try) and below and below[0] is node.body):
        return False
    if len(below) < 2 or below[1] is not node.body.body[0]:
        return False
    for handler in node.handlers:
        caught = handler.type
        names = (
            [element.value for element in caught.elements]
            if isinstance(caught, cst.Tuple)
            else [caught]
        )
        for name in names:
            dotted = dotted_name(name) if name is not None else None
            if dotted is None or dotted.rsplit(".", 1)[-1] not in _MISSING_ROW:
                return False
    return True


def _loop_write(ctx, node: cst.CSTNode, ancestry: list[cst.CSTNode]):
    """The write `node` does in the loop: the first certain one the readings find, else
    the first possible one (a possible relationship change must not hide a model
    method's or the dialect's certain write)."""
    readings = [lambda: relationship_write(ctx, node, ancestry)]
    if isinstance(node, cst.Call):
        readings += [
            lambda: model_method_write(ctx, node, ancestry),
            lambda: _dialect_write(ctx, node),
        ]
    possible = None
    for reading in readings:
        write = reading()
        if write and write.certain:
            return write
        possible = possible or write or None
    return possible


def _dialect_write(ctx, call: cst.Call) -> MethodWrite | None:
    """A write the dialect sees in a call (a Django QuerySet's `update()`, a `save()`)."""
    what = ctx.orm.loop_write(call)
    return MethodWrite(what, True, "writes") if what is not None else None


def _guard(
    ancestry, frame: Frame, query_index: int, varying: set[str]
) -> tuple[cst.BaseExpression | None, bool]:
    """For a `for` body: (an `if` test to carry into the keys, whether the query is conditional)."""
    body_index = frame.index + 1  # the IndentedBlock
    statements = ancestry[body_index + 1 : query_index]
    path = [*statements, ancestry[query_index]]
    conditionals = [
        n
        for i, n in enumerate(statements)
        # the test of an `if` runs whenever the `if` does: the query in it is not guarded
        if (isinstance(n, cst.If) and path[i + 1] is not n.test)
        or (
            makes_conditional(n, path[i + 1])
            and not _runs_first_in_try(n, path[i + 1 :])
        )
        # an inner loop's iterable runs once per item; its body may not run at all
        or (
            isinstance(n, cst.For)
            and i + 1 < len(statements)
            and statements[i + 1] is not n.iter
        )
        or (
            isinstance(n, cst.For)
            and i + 1 == len(statements)
            and ancestry[query_index] is not n.iter
        )
    ]
    if not conditionals:
        return None, False
    if len(conditionals) == 1 and isinstance(conditionals[0], cst.If):
        test = conditionals[0]
        position = ancestry.index(test)
        inside_body = ancestry[position + 1] is test.body
        top_level = ancestry[body_index + 1] is test
        reads = names_read(test.test)
        if (
            inside_body
            and top_level
            and _pure_test(test.test)
            and reads & varying <= frame.targets
        ):
            return test.test, False
    return None, True


def _pure_test(expr: cst.BaseExpression) -> bool:
    return not any(
        isinstance(n, (cst.Call, cst.Await, cst.NamedExpr, cst.Yield))
        for n in [expr, *walk(expr)]
    )
