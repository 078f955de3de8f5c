"""`session.merge(M(pk=..., ...))` per item: can the lookups move in front of the loop?

Each `merge()` of an object with its primary key set looks the key up in the session's
identity map and, when the row is not there, SELECTs it (`Session.get`). One query
before the loop that loads the rows of every key the merges will use puts them in the
identity map, so each merge finds its row there instead: the merges stay where they
were and do what they did (found rows are updated, missing ones inserted); only the
SELECTs of the rows that exist move, into one. A key whose row does not exist is still
looked up by its merge (the identity map cannot say "no such row").

What must be shown (else no fix, or an unsafe one):
- the object is built in the loop by the model's own constructor, which sets each
  keyword argument as its attribute, with every primary key column given as a keyword
  and nothing in the loop changing it afterwards: the keys computed before the loop are
  then those merge uses;
- each key is a pure function of the item, or the same for every item;
- the loop does nothing else with the database, and only builds and merges its objects
  (no flush, commit, expunge or expire that could drop or stale the loaded rows);
- the loop's iterable gives the same items when read a second time.
The loaded rows are held in a local until the loop ends: the identity map holds clean
objects weakly.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from n1fix.analysis.callees import callee_of
from n1fix.analysis.item_facts import bindings, reiterable
from n1fix.analysis.item_keys import judge_key
from n1fix.cst.chains import dotted_name
from n1fix.cst.loop_frames import Frame
from n1fix.cst.syntax import names_read, walk
from n1fix.rules.base import Applicability
from n1fix.rules.write_in_loop.loop_body import body_blocker

# Mapper events a merge or a load fires per object; the rewrite changes when they fire.
_MERGE_EVENTS = {
    "before_insert",
    "after_insert",
    "before_update",
    "after_update",
    "load",
    "refresh",
    "?",
}
_SAME_ITEMS_CALLS = {"sorted", "list", "tuple", "reversed", "enumerate"}
_MAPPING_VIEWS = {"items", "keys", "values"}


@dataclass
class MergePlan:
    """`session.merge(M(...))` per item -> one query for the rows the merges look up,
    before the loop, held in a local until the loop ends."""

    loop: cst.For
    session: cst.BaseExpression
    is_async: bool
    model: str  # the mapped class as the constructor spells it (`Tag`, `models.Tag`)
    model_name: str  # its class name, for the generated names
    fixed: tuple[
        tuple[str, cst.BaseExpression], ...
    ]  # pk columns the same for all items
    varying: tuple[tuple[str, cst.BaseExpression], ...]  # pk columns keyed by the item
    uses_v1_query: bool  # the module uses `session.query(...)`: write the Query API
    needs_unique: bool  # a joined eager collection: `.unique()` before `.all()` (2.0)
    scope: cst.CSTNode


class _NoFix(Exception):
    pass


def judge_merge(ctx, loop: cst.For, ancestry, frame: Frame, node, call, path):
    """(applicability, reasons, plan) for a merge per item, or None when it is not an N+1
    (every merge has the same key: one SELECT at most)."""
    try:
        return _judge(ctx, loop, ancestry, frame, node, call, path)
    except _NoFix as no_fix:
        return Applicability.NONE, [str(no_fix)], None


def _judge(ctx, loop, ancestry, frame, node, call, path):
    if _rows_held_around(ctx, loop, ancestry):
        return None
    arg = call.args[0].value
    constructor, built = _constructor_of(ctx, arg, loop)
    model = ctx.model_for(constructor.func)
    if model is None:
        raise _NoFix(
            f"`{ctx.code(constructor.func)}` is not a model n1fix knows, so its primary"
            " key is unknown"
        )
    if model.constructor is not None:
        where = (
            "a base n1fix cannot read may define `__init__`"
            if model.constructor == "?"
            else f"`{model.constructor}.__init__` builds the object"
        )
        raise _NoFix(
            f"{where}, so the primary key it sets is not shown to be the arguments"
        )
    keywords = {}
    for argument in constructor.args:
        if argument.star or argument.keyword is None:
            raise _NoFix(
                f"`{ctx.code(constructor.func)}(...)` takes arguments that are not plain"
                " keywords, so the primary key it gets is not shown"
            )
        keywords[argument.keyword.value] = argument.value
    fixed, varying = [], []
    for attr in model.primary_key:
        value = keywords.get(attr)
        if value is None:
            raise _NoFix(
                f"the primary key `{attr}` is set after the object is built, not by its"
                " constructor"
            )
        if not names_read(value) & frame.varying:
            facts = judge_key(value, frame, lambda name: True, ctx.module)
            if facts.problem or facts.raises or _calls(value):
                raise _NoFix(
                    f"the key `{attr}={ctx.code(value)}` is computed by a call, which"
                    " n1fix would have to move in front of the loop"
                )
            fixed.append((attr, value))
        else:
            varying.append((attr, value))
    if not varying:
        return None
    reasons: list[str] = []
    for attr, value in varying:
        facts = judge_key(
            value,
            frame,
            lambda name: name not in frame.varying,
            ctx.module,
            local=lambda name: bool(bindings(name, ancestry, comprehensions=False)),
        )
        if facts.problem:
            raise _NoFix(
                f"the key `{attr}={ctx.code(value)}` is not a pure function of the"
                f" item: {facts.problem}"
            )
        reasons += facts.raises + facts.unsure
    _judge_loop(ctx, loop, ancestry, frame, node, call, path, built)
    listeners = [(e, w) for e, w in model.listeners if e in _MERGE_EVENTS]
    if listeners:
        event, where = listeners[0]
        raise _NoFix(
            f"`{model.name}` has ORM event listeners (`{event}` at {where}), which the"
            " rewrite would fire in another order"
        )
    if model.version_id:
        raise _NoFix(f"`{model.name}` has a version counter (`version_id_col`)")
    reasons += _flush_order_gaps(model)
    if len(varying) > 1:
        reasons.append(
            "the key is several columns, loaded with `tuple_(...).in_(...)`, which SQL"
            " Server does not take (nor SQLite before 3.15)"
        )
    plan = MergePlan(
        loop=loop,
        session=call.func.value,
        is_async=isinstance(node, cst.Await),
        model=ctx.code(constructor.func),
        model_name=model.name,
        fixed=tuple(fixed),
        varying=tuple(varying),
        uses_v1_query=_uses_query_api(ctx.module),
        needs_unique=any(
            rel.lazy == "joined" and rel.uselist is not False
            for rel in model.relationships.values()
        ),
        scope=next(
            (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)),
            ctx.module,
        ),
    )
    return (Applicability.UNSAFE if reasons else Applicability.SAFE), reasons, plan


def _rows_held_around(ctx, loop: cst.For, ancestry) -> bool:
    """The loop is already between `rows = <a query>` and `del rows`: the rows the
    merges look up are loaded before it (by this fix, or by hand)."""
    block = ancestry[-2] if len(ancestry) > 1 else None
    body = list(getattr(block, "body", ()))
    position = next((i for i, s in enumerate(body) if s is loop), None)
    if position is None or position == 0 or position + 1 >= len(body):
        return False
    before, after = _only_small(body[position - 1]), _only_small(body[position + 1])
    if not (
        isinstance(before, cst.Assign)
        and len(before.targets) == 1
        and isinstance(before.targets[0].target, cst.Name)
        and isinstance(after, cst.Del)
        and isinstance(after.target, cst.Name)
        and after.target.value == before.targets[0].target.value
    ):
        return False
    return any(
        isinstance(n, (cst.Call, cst.Await)) and ctx.orm.query_shape(n) is not None
        for n in walk(before.value)
    )


def _constructor_of(ctx, arg, loop: cst.For) -> tuple[cst.Call, cst.CSTNode | None]:
    """The `M(...)` call that built the merged object, and the loop statement that binds
    it to a name (None when it is built inside `merge(...)`)."""
    if isinstance(arg, cst.Call):
        return arg, None
    if not isinstance(arg, cst.Name):
        raise _NoFix("the object merged is not built in the loop")
    binding = None
    for statement in _statements(loop):
        small = _only_small(statement)
        if (
            isinstance(small, cst.Assign)
            and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)
            and small.targets[0].target.value == arg.value
            and isinstance(small.value, cst.Call)
        ):
            if binding is not None:
                raise _NoFix(f"`{arg.value}` is bound more than once in the loop")
            binding = statement
    if binding is None:
        raise _NoFix(
            "the object merged is not built in the loop (its primary key may come from"
            " anywhere)"
        )
    return _only_small(binding).value, binding


def _judge_loop(ctx, loop, ancestry, frame, node, call, path, built) -> None:
    """The loop only builds and merges its objects, and its items can be read again."""
    if loop.asynchronous is not None:
        raise _NoFix("an `async for` loop's items are produced as it runs")
    if loop.orelse is not None:
        raise _NoFix("the loop has an `else:` block")
    statement = next((n for n in path if _in_block(loop, n)), None)
    if statement is None or len(path) < 2 or path[0] is not loop.body:
        raise _NoFix("the merge is not a statement of the loop's own block")
    small = _only_small(statement)
    merged_alone = (isinstance(small, cst.Expr) and small.value is node) or (
        isinstance(small, cst.Assign)
        and small.value is node
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
    )
    if not merged_alone:
        raise _NoFix(
            "the merge is part of a larger statement, or runs only for some items"
        )
    arg = call.args[0].value
    for other in _statements(loop):
        if other is statement or other is built:
            continue
        small = _only_small(other)
        if not (
            isinstance(small, cst.Assign)
            and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)
            and not (
                isinstance(arg, cst.Name) and names_read(small.value) & {arg.value}
            )
        ):
            raise _NoFix(
                f"the loop does more than build and merge its objects"
                f" (`{_short(ctx.code(other))}`); n1fix moves the lookups only out of"
                " a loop that does nothing else"
            )
    session_code = ctx.code(call.func.value)
    reason = body_blocker(ctx, loop, call, session_code, ancestry)
    if reason:
        raise _NoFix(reason)
    root = (dotted_name(call.func.value) or "").split(".", 1)[0]
    for inner in walk(arg):
        if isinstance(inner, cst.Name) and inner.value == root:
            raise _NoFix(f"the object is built with `{root}`")
        if isinstance(inner, (cst.Call, cst.Await)) and (
            ctx.orm.query_shape(inner) is not None
            or callee_of(ctx, inner, ancestry) is not None
        ):
            raise _NoFix(
                f"the object is built with a call that reads the database"
                f" (`{_short(ctx.code(inner))}`)"
            )
    if not _same_items(loop.iter, ancestry, frame):
        raise _NoFix(
            f"`{ctx.code(loop.iter)}` may not give the same items when read again, and"
            " the keys are read before the loop"
        )


def _same_items(iterable, ancestry, frame: Frame) -> bool:
    """Reading `iterable` again right before the loop gives the same items: a name bound
    to a list, dict, set or tuple, a view or a sorted copy of one, or a `range`."""
    if isinstance(iterable, cst.Name):
        return reiterable(iterable, ancestry, frame.index)
    if not isinstance(iterable, cst.Call):
        return False
    func = iterable.func
    args = iterable.args
    if isinstance(func, cst.Attribute) and func.attr.value in _MAPPING_VIEWS:
        return not args and _same_items(func.value, ancestry, frame)
    name = dotted_name(func)
    if name == "range":
        return all(
            not arg.star
            and arg.keyword is None
            and not names_read(arg.value) & frame.varying
            and not _calls(arg.value)
            for arg in args
        )
    return (
        name in _SAME_ITEMS_CALLS
        and len(args) == 1
        and args[0].keyword is None
        and not args[0].star
        and _same_items(args[0].value, ancestry, frame)
    )


def _flush_order_gaps(model) -> list[str]:
    """With autoflush, each merge's SELECT flushed the merges before it, so their UPDATEs
    went out in loop order; a merge that finds its row flushes nothing, and those
    UPDATEs go out together at the next flush, ordered by primary key. Only a constraint
    across rows of the table can tell the two orders apart."""
    gaps = []
    unique = [c.attr for c in model.columns.values() if c.unique and not c.primary_key]
    unique += [
        ", ".join(names)
        for names in model.unique_sets
        if set(names) != set(model.primary_key)
    ]
    if unique:
        gaps.append(
            f"`{model.name}` has a unique constraint on `{unique[0]}`; the rewrite"
            " sends the UPDATEs of rows it found at the next flush in primary-key order,"
            " where each merge's lookup flushed them in loop order"
        )
    table = model.table
    if table and any(
        (c.foreign_key or "").split(".", 1)[0] == table for c in model.columns.values()
    ):
        gaps.append(
            f"`{model.name}` has a foreign key to its own table; the rewrite sends the"
            " UPDATEs of rows it found at the next flush in primary-key order, where each"
            " merge's lookup flushed them in loop order"
        )
    return gaps


def _statements(loop: cst.For) -> list[cst.CSTNode]:
    body = loop.body
    return list(body.body) if isinstance(body, cst.IndentedBlock) else [body]


def _in_block(loop: cst.For, node) -> bool:
    return any(node is statement for statement in _statements(loop))


def _only_small(statement) -> cst.BaseSmallStatement | None:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        return statement.body[0]
    return None


def _calls(expr: cst.BaseExpression) -> bool:
    return any(
        isinstance(n, (cst.Call, cst.Await, cst.Lambda)) for n in [expr, *walk(expr)]
    )


def _uses_query_api(module: cst.Module) -> bool:
    return any(
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "query"
        for node in walk(module, into_scopes=True)
    )


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."
