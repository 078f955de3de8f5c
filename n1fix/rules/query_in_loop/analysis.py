"""The analysis behind `query-in-loop`: which loop, which key, and is the rewrite safe."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Iterable

import libcst as cst

from n1fix.analysis.callees import callee_of
from n1fix.analysis.item_facts import item_model, key_gaps
from n1fix.analysis.loop_placement import (
    NoFix,
    place_body,
    place_key,
    runs_once_per_loop,
)
from n1fix.analysis.normalised_keys import normalised_column_miss
from n1fix.analysis.query_columns import columns_read, counted_model
from n1fix.analysis.untyped_sources import certain_key_miss
from n1fix.cst.chains import dotted_name, unwind
from n1fix.cst.loop_frames import (
    FEW_ITEMS_NOTE,
    Frame,
    few_fixed_items,
    frames_of,
    loop_words,
    statement_index,
)
from n1fix.cst.syntax import (
    COMPREHENSIONS,
    children,
    kind_test,
    names_read,
    target_names,
    walk,
)
from n1fix.cst.tree_index import index_of
from n1fix.orm.dialect import Cardinality, Predicate, QueryShape, Style
from n1fix.rules.base import Applicability, Finding
from n1fix.rules.query_in_loop.call_analysis import analyze_call, reads_only, returns_of
from n1fix.rules.query_in_loop.commits_beside import commits_expire_rows
from n1fix.rules.query_in_loop.distinct_keys import adds_own_row, distinct_keys_proof
from n1fix.rules.query_in_loop.kept_querysets import CONSUMING_CALLS
from n1fix.rules.query_in_loop.only_binding import only_binding
from n1fix.rules.query_in_loop.other_table_adds import adds_other_table_row
from n1fix.rules.query_in_loop.query_variable import recognize_through_query_variable
from n1fix.rules.query_in_loop.result_variable import read_through_result
from n1fix.rules.query_in_loop.recorded_adds import (
    AUTOFLUSH_GAP,
    RecordedAdd,
    recorded_add,
)
from n1fix.rules.query_in_loop.text_keys import settled_by_text, text_keys_gap
from n1fix.rules.query_in_loop.typed_items import typed_items
from n1fix.rules.query_in_loop.shared_session import (
    application_session,
    project_writes_beside,
)
from n1fix.rules.query_in_loop.multi_key import (
    GET_ORDER_GAP,
    KeyPart,
    get_key_parts,
    key_predicates,
    key_tuple,
    tuple_elements,
    unique_columns,
)


@dataclass
class LoopQueryPlan:
    """Everything the codemod needs; it re-derives nothing."""

    shape: QueryShape
    frame: Frame
    anchor: cst.CSTNode  # the statement the batch goes in front of
    key: cst.BaseExpression  # the per-item key expression (as written in the loop)
    keys_key: (
        cst.BaseExpression
    )  # the same key written in terms of the loop target only
    items: (
        cst.BaseExpression
    )  # the collection the keys are read from (`xs`, also for `enumerate(xs)`)
    item_target: cst.BaseExpression  # the name each item is bound to when reading keys
    key_predicate: Predicate | None  # None for get()
    key_column: str  # the attribute of the entity the key is compared with
    column_expr: cst.BaseExpression | None  # `Render.project_id` as written, when it is
    entity_code: str
    cardinality: Cardinality
    keys_filter: list[cst.BaseExpression] = field(
        default_factory=list
    )  # `if` tests to keep
    iter_reiterable: bool = True
    top_n: cst.BaseExpression | None = None
    scope: cst.CSTNode | None = None  # function or module, for fresh names
    query_statement: cst.CSTNode | None = None  # the statement the query sits in
    uses_v1_query: bool = False
    # 2.0 results with joined eager loads of collections must be `.unique()`d to iterate.
    needs_unique: bool = False
    batch_guards: list = field(default_factory=list)  # `Guard`s the batch runs under
    # A key of several columns (`A.x == item.a, A.y == item.b`, a composite primary key's
    # `get`): batched by `tuple_(A.x, A.y).in_(keys)`, `key` and `keys_key` then tuples of
    # one value a part; empty for a one-column key.
    key_parts: tuple[KeyPart, ...] = ()
    # UUID keys of unshown type: the batch groups and looks up by `str()` (text_keys).
    keys_as_text: bool = False
    # Rows a get-or-create adds, recorded in the batch for later items (recorded_adds).
    record_adds: tuple[RecordedAdd, ...] = ()


def find(ctx, rule) -> Iterable[Finding]:
    calls: list[tuple[cst.Call, cst.BaseExpression, list[cst.CSTNode]]] = []
    for shape, ancestry in _queries(ctx.module, ctx.orm, calls):
        finding = _analyze(rule, ctx, shape, ancestry)
        if finding is not None:
            yield finding
    if ctx.planning:
        return  # a synthetic batch loop: calls in it are the callee's own business
    for call, site, ancestry in calls:
        callee = callee_of(ctx, call, ancestry)
        if callee is not None:
            finding = analyze_call(rule, ctx, call, site, ancestry, callee)
            if finding is not None and finding.fixable:
                finding = _few_items(ctx, finding, ancestry)
            if finding is not None:
                yield finding


def _queries(
    module: cst.Module, orm, calls: list | None = None
) -> list[tuple[QueryShape, list[cst.CSTNode]]]:
    """Every outermost query expression in the module, with its ancestry (module first).

    Other calls inside loops go to `calls`, (call, the awaited expression or the call,
    ancestry), for matching against the project's query functions.
    """
    found: list[tuple[QueryShape, list[cst.CSTNode]]] = []
    # Only calls, awaits and subscripts can be queries: read off the module's index,
    # each with its ancestry, in the order a walk meets them; nothing inside a query
    # found is looked at.
    index = index_of(module)
    nodes, ends = index.nodes, index.ends
    inside_query = 0  # the numbers below the last query found end here
    for number in index.kinds_below(0, _MAYBE_QUERY, True):
        if number < inside_query:
            continue
        node = nodes[number]
        ancestry = index.ancestry(0, number)
        ancestry.append(node)
        shape = None
        if type(node) is not cst.Subscript:
            shape = (
                orm.query_shape(node)
                or _recognize_through_variable(orm, node, ancestry)
                or recognize_through_query_variable(
                    orm, node, ancestry, _loop_body_binding
                )
                or read_through_result(orm, node, ancestry)
            )
        else:  # a sliced QuerySet (`qs[:3]`)
            shape = orm.query_shape(node)
        if shape is not None:
            found.append((shape, ancestry))
            inside_query = ends[number]
            continue
        if (
            calls is not None
            and type(node) is cst.Call
            and any(_is_loop(above) for above in ancestry)
        ):
            site = (
                ancestry[-2]
                if len(ancestry) > 1 and isinstance(ancestry[-2], cst.Await)
                else node
            )
            calls.append((node, site, list(ancestry)))
    # A `result = await session.execute(...)` read through on the next line is that
    # reading's query, not one of its own.
    read_through = {
        id(shape.result_binding.body[0].value)
        for shape, _ in found
        if shape.result_binding is not None
    }
    return [
        (shape, ancestry)
        for shape, ancestry in found
        if id(shape.node) not in read_through
        and id(getattr(shape.node, "expression", None)) not in read_through
    ]


_RUNNERS = {"execute", "scalars", "scalar"}


_is_loop = kind_test((cst.For, *COMPREHENSIONS))
_MAYBE_QUERY = frozenset({cst.Call, cst.Await, cst.Subscript})


def _recognize_through_variable(
    orm, node: cst.BaseExpression, ancestry: list[cst.CSTNode]
) -> QueryShape | None:
    """`session.scalars(stmt)` where the loop body built `stmt = select(...)` just before.

    The statement is read as if written in place; the shape remembers the real call (to
    report and replace) and the assignment (which the rewrite removes).
    """
    call = node.expression if isinstance(node, cst.Await) else node
    runner = call
    while (
        isinstance(runner, cst.Call)
        and isinstance(runner.func, cst.Attribute)
        and runner.func.attr.value not in _RUNNERS
    ):
        runner = runner.func.value
        if isinstance(runner, cst.Await):
            runner = runner.expression
    if not (
        isinstance(runner, cst.Call)
        and isinstance(runner.func, cst.Attribute)
        and runner.args
    ):
        return None
    name = runner.args[0].value
    if not isinstance(name, cst.Name):
        return None
    binding = _loop_body_binding(name.value, ancestry)
    if binding is None:
        return None
    value = binding.body[0].value

    class _Inline(cst.CSTTransformer):
        def leave_Call(self, original, updated):
            if original is not runner:
                return updated
            arg = updated.args[0]
            if not value.lpar:
                return updated.with_changes(
                    args=[arg.with_changes(value=value), *updated.args[1:]]
                )
            # `session.scalars(stmt)` with `stmt = (\n select(...)\n)`: the statement's
            # own brackets become the call's, not a second pair inside it.
            bare = value.with_changes(lpar=[], rpar=[])
            return updated.with_changes(
                whitespace_before_args=value.lpar[0].whitespace_after,
                args=[
                    arg.with_changes(
                        value=bare,
                        whitespace_after_arg=value.rpar[-1].whitespace_before,
                    ),
                    *updated.args[1:],
                ],
            )

    shape = orm.query_shape(node.visit(_Inline()))
    if shape is None:
        return None
    shape.site = node
    shape.statement_binding = binding
    return shape


def _loop_body_binding(
    name: str, ancestry: list[cst.CSTNode]
) -> cst.SimpleStatementLine | None:
    """The one `name = ...` line of the innermost `for` body, before the query's statement."""
    for i in range(len(ancestry) - 2, -1, -1):
        node = ancestry[i]
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return None
        if isinstance(node, cst.For) and ancestry[i + 1] is node.body:
            statement = ancestry[i + 2]
            body = list(node.body.body)
            position = next((k for k, s in enumerate(body) if s is statement), None)
            if position is None:
                return None
            bindings = [
                s
                for s in body
                if isinstance(s, cst.SimpleStatementLine)
                and len(s.body) == 1
                and isinstance(s.body[0], cst.Assign)
                and any(name in target_names(t.target) for t in s.body[0].targets)
            ]
            if len(bindings) != 1 or len(bindings[0].body[0].targets) != 1:
                return None
            binding = bindings[0]
            if not only_binding(name, node.body, binding, ancestry[0]):
                return None
            return binding if body.index(binding) < position else None
    return None


def _analyze(
    rule, ctx, shape: QueryShape, ancestry: list[cst.CSTNode]
) -> Finding | None:
    finding = _analyze_loop(rule, ctx, shape, ancestry)
    if finding is not None and finding.fixable:
        return _few_items(ctx, finding, ancestry)
    return finding


def _few_items(ctx, finding: Finding, ancestry: list[cst.CSTNode]) -> Finding:
    """`finding` without its fix when the loop runs over a few items: written out in
    the code, or typed on the command line."""
    frames = frames_of(ancestry)
    if few_fixed_items(frames):
        return without_fix(finding, FEW_ITEMS_NOTE)
    typed = typed_items(ctx, frames, ancestry)
    return without_fix(finding, typed) if typed else finding


def without_fix(finding: Finding, note: str) -> Finding:
    """`finding` with no fix: its message up to the fix, then why there is none."""
    found = finding.message.split("; fix: ", 1)[0].split("; unsafe fix", 1)[0]
    return dataclasses.replace(
        finding,
        message=f"{found}; no fix: {note}",
        applicability=Applicability.NONE,
        fix_note=note,
        plan=None,
    )


def _analyze_loop(
    rule, ctx, shape: QueryShape, ancestry: list[cst.CSTNode]
) -> Finding | None:
    frames = frames_of(ancestry)
    if not frames or _runs_on_batch_miss(ctx, shape, ancestry):
        return None
    code = ctx.code
    varying_all = set().union(*(f.varying for f in frames))
    not_a_session = _project_receiver_of(ctx, shape, ancestry)

    if (
        _kept_as_object(shape)
        and not _iterated_directly(ancestry)
        and not _iterated_through_name(ancestry)
    ):
        # A Query or Result kept as an object: more often built up (`.subquery()`,
        # `.exists()`) or written through (`.update()`, `.delete()`) than read.
        return None
    tied = _tied_predicates(shape, varying_all)
    key_expr, key_pred = _key_of(shape, varying_all, tied)
    depends = _dependent_parts(shape, varying_all, exclude=[key_pred])
    if key_expr is None and not depends:
        return None  # loop-invariant query: another rule's business
    key_preds: list[Predicate] = [key_pred] if key_pred is not None else []
    if key_expr is None and len(tied) > 1 and shape.entity is not None:
        several, why = key_predicates(shape, tied, code(shape.entity))
        if several is None:
            return _finding(
                rule,
                ctx,
                shape,
                frames[-1],
                code(shape.entity),
                Applicability.NONE,
                why,
            )
        key_preds = several
        key_expr = key_tuple([p.value for p in several])

    if not_a_session:
        entity = (
            code(shape.entity) if shape.entity is not None else counted_model(shape)
        )
        method = unwind(shape.node)[1][0].name
        return _finding(
            rule,
            ctx,
            shape,
            frames[-1],
            entity,
            Applicability.NONE,
            f"`{code(shape.session)}` is {not_a_session}, not a session: its `{method}` is the project's own "
            "function, and n1fix does not know what it runs",
        )

    selected = _selected_model(shape)
    model = ctx.model_for(selected) if selected is not None else None
    if (
        model is None
        and selected is None
        and shape.cardinality in (Cardinality.COUNT, Cardinality.EXISTS)
    ):
        counted = counted_model(shape)
        model = (
            ctx.model_for(cst.parse_expression(counted))
            if counted != "the query"
            else None
        )
    entity_code = code(selected) if selected is not None else counted_model(shape)
    if key_expr is None:
        # Loop-dependent in another way: already a batch (`in_(chunk)`), a model per
        # item of a fixed tuple, a dynamic filter. Not the per-item lookup this rule is
        # about, and reporting it would be noise; unless the one thing that varies is
        # a lookup the dialect knows has no batch (`email__iexact=x`).
        varying_preds = [
            p for p in shape.predicates if names_read(p.value) & varying_all
        ]
        # (`.get(email__iexact=x)`: the terminal varies by the predicate it holds.)
        holder = (
            [f"`.{shape.terminal.name}()`"]
            if len(varying_preds) == 1
            and shape.terminal is not None
            and varying_preds[0].container is shape.terminal.call
            else []
        )
        gap = (
            ctx.orm.unbatchable_lookup(shape, varying_preds[0])
            if len(varying_preds) == 1 and depends == ["a second predicate", *holder]
            else None
        )
        if gap is None:
            return None
        return _finding(
            rule, ctx, shape, frames[-1], entity_code, Applicability.NONE, gap
        )
    custom = _custom_query_class(ctx, shape, model)
    if custom:
        return _finding(
            rule, ctx, shape, frames[-1], entity_code, Applicability.NONE, custom
        )

    try:
        placement = place_key(ctx, frames, key_expr, ancestry)
    except NoFix as reason:
        return _finding(
            rule,
            ctx,
            shape,
            reason.frame or frames[-1],
            entity_code,
            Applicability.NONE,
            str(reason),
        )
    frame = placement.frame

    def no_fix(reason: str) -> Finding:
        return _finding(
            rule, ctx, shape, frame, entity_code, Applicability.NONE, reason
        )

    depends = _dependent_parts(shape, placement.varying, exclude=key_preds)
    if depends:
        # `.get(name=key)`: the key is the terminal's own argument
        unbatchable = (
            ctx.orm.unbatchable_lookup(shape, key_pred)
            if key_pred is not None
            and shape.terminal is not None
            and depends == [f"`.{shape.terminal.name}()`"]
            else None
        )
        return no_fix(unbatchable or f"{depends[0]} also changes per item")

    # What the query returns, and whether we can rebuild it batched.
    cardinality = _effective_cardinality(shape)
    if cardinality is None:
        return no_fix(
            "a LIMIT other than 1 with `.one_or_none()`/`.one()` is not batched"
        )
    blocking = _shape_blocker(shape, key_preds)
    if blocking:
        return no_fix(blocking)
    parts, why = _key_parts(shape, key_preds, key_expr, model)
    if parts is None:
        return no_fix(why)
    key_column, column_expr = parts[0].column, parts[0].column_expr
    for pred in key_preds:
        if (
            pred.model is not None
            and pred.model != entity_code
            and selected is not None
        ):
            return no_fix(
                f"the key column `{pred.model}.{pred.attr}` is on a joined table, not on `{entity_code}`"
            )
    for part in parts if model is not None else ():
        if model.column(part.column) is None:
            what = (
                "a relationship"
                if model.relationship(part.column) is not None
                else "not a column n1fix knows"
            )
            return no_fix(
                f"`{model.name}.{part.column}` is {what}; `in_()` needs a column"
            )

    values = shape.values_column
    if (
        model is not None
        and values is not None
        and model.column(values.attr.value) is None
    ):
        return no_fix(
            f"`{model.name}.{values.attr.value}` is not a column n1fix knows; the batch "
            "would select it beside the key"
        )

    if runs_once_per_loop(placement, ancestry):
        return None  # the body always leaves after its first item: no N+1
    distinct = (
        distinct_keys_proof(
            ctx, frame, placement.keys_key, ancestry, model.column(key_column)
        )
        if len(parts) == 1 and shape.style is not Style.DJANGO and model is not None
        else None
    )
    own_rows: list[str] = []  # the proof, once a write relied on it
    recorded: list[RecordedAdd] = []  # adds the batch must record (keys may repeat)

    def harmless_write(call: cst.Call) -> bool:
        other_table = adds_other_table_row(
            ctx,
            call,
            frame,
            model,
            [n for n in (shape.node, shape.statement_binding) if n is not None],
        )
        if other_table is not None:
            if other_table not in own_rows:
                own_rows.append(other_table)
            return True
        if (
            distinct is None
            and len(parts) == 1
            and shape.style is not Style.DJANGO
            and cardinality in (Cardinality.FIRST, Cardinality.OPTIONAL)
        ):
            record = recorded_add(
                ctx,
                call,
                frame,
                shape,
                model,
                {ctx.code(key_expr), ctx.code(placement.keys_key)},
                ancestry,
            )
            if record is not None and record not in recorded:
                recorded.append(record)
            return record is not None
        if distinct is None or not adds_own_row(
            ctx,
            call,
            frame,
            (key_expr, placement.keys_key),
            model,
            key_column,
            ancestry,
        ):
            return False
        proof = (
            f"{distinct}; each row the loop adds carries its own item's "
            f"`{key_column}`, so no later item's lookup can find it"
        )
        if proof not in own_rows:
            own_rows.append(proof)
        return True

    try:
        place_body(
            ctx,
            placement,
            ancestry,
            site=shape.site,
            session_code=code(shape.session),
            columns=set().union(*(columns_read(shape, p.column) for p in parts))
            | (
                {shape.values_column.attr.value}
                if shape.values_column is not None
                else set()
            ),
            reads_only=lambda call: reads_only(ctx, call, ancestry),
            returns_of=lambda call: returns_of(ctx, call, ancestry),
            hoisted=[
                shape.node,
                *(
                    [shape.statement_binding]
                    if shape.statement_binding is not None
                    else []
                ),
                *([shape.result_binding] if shape.result_binding is not None else []),
            ],
            harmless_write=harmless_write,
        )
    except NoFix as reason:
        return no_fix(str(reason))
    unsafe = placement.unsafe
    keys_key = placement.keys_key
    if shape.style is not Style.DJANGO and application_session(
        ctx, shape.session, ancestry
    ):
        # Project code that may write but is not shown to is left as it was: the
        # inline check has not weighed calls the loop does not pass the session.
        writes, _ = project_writes_beside(
            ctx,
            frame,
            shape.node,
            ancestry,
            lambda call: reads_only(ctx, call, ancestry),
            (entity_code or "").rpartition(".")[2] or None,
        )
        if writes and distinct is None:
            return no_fix(writes)
        if writes:
            unsafe.append(f"{writes}; {distinct}")
    expired = commits_expire_rows(
        ctx,
        frame,
        ancestry[-1],
        ancestry,
        None
        if shape.style is not Style.DJANGO
        and application_session(ctx, shape.session, ancestry)
        else code(shape.session),
    )
    if expired:
        return no_fix(expired)
    item_keys = tuple_elements(keys_key, len(parts)) if len(parts) > 1 else [keys_key]
    if key_pred is not None and key_pred.object_key:
        unshown = _object_key_unshown(ctx, model, key_column, keys_key, frame, ancestry)
        if unshown:
            return no_fix(unshown)
    text_keys = None
    for part, item_key in zip(parts, item_keys):
        miss = _certain_key_miss(ctx, model, part.column, item_key, frame, ancestry)
        if miss:
            text_keys = len(parts) == 1 and text_keys_gap(
                ctx, shape, cardinality, model, part.column, item_key, frame, ancestry
            )
            if not text_keys:
                return no_fix(miss)
            unsafe.append(text_keys)
    duplicates = _raises_on_duplicates(ctx, shape, cardinality, model, parts, key_pred)
    if duplicates:
        return no_fix(duplicates)
    proved: list[str] = list(own_rows)
    if len(parts) > 1:
        unsafe.extend(
            _several_columns_gaps(
                ctx,
                shape,
                cardinality,
                model,
                parts,
                item_keys,
                frame,
                ancestry,
                proved,
            )
        )
    else:
        unsafe.extend(
            _contract_gaps(
                ctx,
                shape,
                cardinality,
                model,
                key_column,
                keys_key,
                frame,
                ancestry,
                key_pred,
                proved,
            )
        )

    if recorded:
        unsafe.append(AUTOFLUSH_GAP)
    if text_keys:
        unsafe = settled_by_text(
            ctx, model, key_column, keys_key, frame, ancestry, unsafe
        )
    top_n = None
    if shape.limit is not None and shape.cardinality is Cardinality.LIST:
        top_n = shape.limit.call.args[0].value if shape.limit.call.args else None

    applicability = Applicability.UNSAFE if unsafe else Applicability.SAFE
    plan = LoopQueryPlan(
        shape=shape,
        frame=frame,
        anchor=ancestry[placement.anchor_index],
        key=key_expr,
        keys_key=keys_key,
        items=placement.items,
        item_target=placement.item_target,
        key_predicate=parts[0].predicate,
        key_column=key_column,
        column_expr=column_expr,
        entity_code=entity_code,
        cardinality=cardinality,
        keys_filter=placement.keys_filter,
        iter_reiterable=placement.iter_reiterable,
        top_n=top_n,
        scope=next(
            (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)),
            ctx.module,
        ),
        query_statement=ancestry[statement_index(ancestry, len(ancestry) - 1)],
        uses_v1_query=shape.style is Style.V1
        or (shape.get_key is not None and _module_uses_query_api(ctx.module)),
        needs_unique=_joins_collections(ctx, shape, model),
        batch_guards=placement.batch_guards,
        key_parts=tuple(parts) if len(parts) > 1 else (),
        keys_as_text=bool(text_keys),
        record_adds=tuple(recorded),
    )
    return _finding(
        rule,
        ctx,
        shape,
        frame,
        entity_code,
        applicability,
        "; ".join(unsafe) or None,
        plan,
        proved,
    )


# What the batched rewrite of a `Model.query` chain calls on the query: the original's own
# methods, plus filtering by `in_`, ordering and iterating.
_BATCH_QUERY_METHODS = frozenset(
    {"filter", "filter_by", "order_by", "all", "__iter__", "__init__"}
)


def _custom_query_class(ctx, shape: QueryShape, model) -> str | None:
    """Why a 1.x Query chain cannot be batched: its Query class (the model's `query_class`
    for `Model.query`; one the project builds its sessions with, `query_cls=`, for
    `session.query(...)`) defines a method the query or its batch calls (ihatemoney's
    `get` scoped to the current project), so the stock Query's meaning cannot be assumed."""
    if shape.style is not Style.V1:
        return None
    used = {mc.name for mc in shape.statement_calls} | _BATCH_QUERY_METHODS
    if shape.terminal is not None:
        used.add(shape.terminal.name)
    if (
        shape.select_call is None
        and model is not None
        and model.query_class is not None
    ):
        what = f"`{model.name}.query` is a `{model.query_class.rpartition('.')[2]}`"
        return _overriding(what, model.query_overrides, used)
    for query_class, overrides in sorted(
        ctx.project.models.session_query_classes.items()
    ):
        what = (
            f"the project's sessions may query with `{query_class.rpartition('.')[2]}`"
        )
        reason = _overriding(what, overrides, used)
        if reason:
            return reason
    return None


def _overriding(
    what: str, overrides: frozenset[str] | None, used: set[str]
) -> str | None:
    if overrides is None:
        return f"{what}, whose methods n1fix cannot read"
    overridden = sorted(used & overrides)
    if not overridden:
        return None
    names = ", ".join(f"`{name}`" for name in overridden)
    return f"{what}, which defines its own {names}; the stock Query's meaning cannot be assumed"


def _project_receiver_of(ctx, shape: QueryShape, ancestry) -> str | None:
    """What the receiver is when it is a project object rather than a session
    (`Model.query` of Flask-SQLAlchemy is a query, whatever its class)."""
    if shape.style is Style.V1 and shape.select_call is None:
        return None
    return ctx.orm.not_a_session(ctx, shape.session, ancestry)


def _object_key_unshown(
    ctx, model, key_column: str, keys_key, frame: Frame, ancestry
) -> str | None:
    """A query that compares an object (`filter(author=author)`) is batched by the
    object's primary key (`author.pk`): only when the loop's items are shown to be rows
    of the model the key column refers to (else `author` may be a key, without `.pk`)."""
    column = model.column(key_column) if model is not None else None
    target = (
        column.foreign_key.rsplit(".", 1)[0]
        if column is not None and column.foreign_key
        else None
    )
    items = item_model(ctx, frame, ancestry)
    owner = keys_key.value if isinstance(keys_key, cst.Attribute) else None
    if (
        target is not None
        and items is not None
        and items.table == target
        and isinstance(owner, cst.Name)
        and owner.value in frame.targets
    ):
        return None
    compared = ctx.code(owner) if owner is not None else "the value"
    return (
        f"`{compared}` may be a key rather than a row (the query takes either); n1fix"
        " batches it when the loop's items are shown to be rows of the related model"
    )


def _runs_on_batch_miss(ctx, shape: QueryShape, ancestry) -> bool:
    """`found[key] if key in found else <query>`: the query runs only for a key a batch
    did not find (what a rewrite of a one-row query leaves, so that a missing row still
    raises as the per-item query did): no round trip per item."""
    parent = ancestry[-2] if len(ancestry) > 1 else None
    if not isinstance(parent, cst.IfExp) or parent.orelse is not shape.location:
        return False
    test = parent.test
    return (
        isinstance(test, cst.Comparison)
        and len(test.comparisons) == 1
        and isinstance(test.comparisons[0].operator, cst.In)
        and isinstance(parent.body, cst.Subscript)
        and ctx.code(parent.body.value) == ctx.code(test.comparisons[0].comparator)
    )


def _finding(
    rule,
    ctx,
    shape,
    frame: Frame,
    entity_code: str,
    applicability: Applicability,
    note: str | None,
    plan=None,
    proved: list[str] = (),
) -> Finding:
    message = f"`{entity_code}` is queried once per item of {loop_words(ctx, frame)} (1 + N round trips)"
    proof = (
        ctx.orm.batch_proof(
            shape, ctx.model_for(shape.entity), plan.key_column, plan.cardinality
        )
        if plan is not None and shape.entity is not None
        else None
    )
    if applicability is Applicability.SAFE and proof is not None:
        message += f"; fix: {proof}"
    elif applicability is Applicability.SAFE and plan is not None and plan.key_parts:
        columns = ", ".join(part.column for part in plan.key_parts)
        message += (
            f"; fix: one `tuple_({columns}).in_()` query for all keys, grouped in"
            " Python by the tuple"
        )
        if proved:
            message += f" ({'; '.join(proved)})"
    elif applicability is Applicability.SAFE:
        message += "; fix: one `in_` query for all keys, grouped in Python"
        if proved:
            message += f" ({'; '.join(proved)})"
    elif applicability is Applicability.UNSAFE:
        message += f"; unsafe fix: {note}"
    else:
        message += f"; no fix: {note}"
    return rule.finding_at(
        ctx, shape.location, message, applicability, note, plan, loop=frame.node
    )


def _joins_collections(ctx, shape: QueryShape, model) -> bool:
    """Does the batched result carry joined eager loads of collections (`lazy="joined"`
    on a list relationship, or `joinedload(...)` among the options)? SQLAlchemy 2.x then
    refuses to iterate it without `.unique()`."""
    if (
        shape.cardinality in (Cardinality.COUNT, Cardinality.EXISTS)
        or shape.values_column is not None
    ):
        return False  # no entities in the result
    if model is not None and any(
        rel.lazy == "joined" and rel.uselist is not False
        for rel in model.relationships.values()
    ):
        return True
    return any(
        mc.name == "options" and "joinedload" in ctx.code(mc.call)
        for mc in shape.statement_calls
    )


def _selected_model(shape: QueryShape) -> cst.BaseExpression | None:
    """The model the query selects, or whose one column's values it returns."""
    if shape.entity is not None:
        return shape.entity
    if shape.values_column is not None:
        return shape.values_column.value
    return None


def _tied_predicates(shape: QueryShape, varying: set[str]) -> list[Predicate]:
    """The `column == value` predicates whose value changes per item."""
    return [p for p in shape.predicates if p.attr and names_read(p.value) & varying]


def _key_of(
    shape: QueryShape, varying: set[str], tied: list[Predicate]
) -> tuple[cst.BaseExpression | None, Predicate | None]:
    if shape.get_key is not None:
        if names_read(shape.get_key) & varying:
            return shape.get_key, None
        return None, None
    if len(tied) == 1:
        return tied[0].value, tied[0]
    return None, None


def _dependent_parts(
    shape: QueryShape, varying: set[str], exclude: list[Predicate | None]
) -> list[str]:
    """Parts of the query, other than the key predicates, that change per item."""
    parts: list[tuple[str, cst.CSTNode]] = [("the session", shape.session)]
    if shape.entity is not None:
        parts.append(("the selected model", shape.entity))
    for pred in shape.predicates:
        if all(pred is not key for key in exclude):
            parts.append(("a second predicate", pred.node))
    for mc in shape.statement_calls:
        if mc.name not in {"where", "filter", "filter_by"}:
            parts.append((f"`.{mc.name}()`", mc.call))
    if shape.limit is not None and all(
        mc is not shape.limit for mc in shape.statement_calls
    ):  # a slice (`[:n]`), read as a LIMIT outside the chain's calls
        parts.append(("the slice", shape.limit.call))
    if (
        shape.select_call is not None and not shape.exists_calls
    ):  # exists(): its filters are the predicates
        parts.append(("the selected columns", shape.select_call))
    if (
        shape.terminal is not None
        and shape.get_key is None
        and shape.terminal_action != "rename"
    ):
        parts.append((f"`.{shape.terminal.name}()`", shape.terminal.call))
    out = []
    for label, node in parts:
        if (
            isinstance(node, cst.Call)
            and node is not shape.select_call
            and not isinstance(node, cst.Arg)
        ):
            names = (
                set().union(*(names_read(a.value) for a in node.args))
                if node.args
                else set()
            )
        else:
            names = names_read(node)
        if names & varying:
            out.append(label)
    return out


def _shape_blocker(shape: QueryShape, key_preds: list[Predicate]) -> str | None:
    blocking = [
        o
        for o in shape.opaque
        if o
        in {
            "distinct",
            "group_by",
            "having",
            "offset",
            "slice",
            "with_for_update",
            "yield_per",
            "filter_by(**...)",
        }
    ]
    if blocking:
        return f"the query uses `.{blocking[0]}()`, which batching would change"
    if shape.cardinality is Cardinality.SCALAR:
        return (
            "the query returns rows of columns, not models or one column's values; "
            "the key column a batch adds would change the rows the caller reads"
        )
    if shape.cardinality is Cardinality.COUNT and shape.limit is not None:
        return "a count with LIMIT is not batched"
    by_keyword = any(pred.via_filter_by for pred in key_preds)
    if shape.cardinality is Cardinality.COUNT and by_keyword and shape.entity is None:
        return "a count filtered with `filter_by` names no model to group by"
    if by_keyword:
        joins = {"join", "outerjoin", "join_from", "outerjoin_from", "select_from"}
        if any(mc.name in joins for mc in shape.statement_calls):
            return "`filter_by()` after a join filters the joined model; n1fix cannot tell which column it means"
    return None


def _key_column(
    shape: QueryShape, pred: Predicate | None, model
) -> tuple[str | None, cst.BaseExpression | None]:
    if pred is not None:
        column = (
            pred.node.left
            if isinstance(pred.node, cst.Comparison)
            and isinstance(pred.node.left, cst.Attribute)
            and pred.node.left.attr.value == pred.attr
            else None
        )
        if isinstance(pred.node, cst.Comparison) and column is None:
            column = pred.node.comparisons[0].comparator
        return pred.attr, column
    if model is None:
        return (
            "id",
            None,
        )  # session.get(): assume the conventional primary key; unsafe below
    pk = model.primary_key
    return (pk[0], None) if len(pk) == 1 else (None, None)


def _key_parts(
    shape: QueryShape, key_preds: list[Predicate], key_expr, model
) -> tuple[list[KeyPart] | None, str]:
    """The columns the key is compared with, one part each; None and why when they
    cannot be told."""
    if key_preds:
        parts = []
        for pred in key_preds:
            column, column_expr = _key_column(shape, pred, model)
            parts.append(KeyPart(column, column_expr, pred.value, pred))
        return parts, ""
    if shape.get_key_column is not None:  # Django's `.get(slug=key)`
        return [KeyPart(shape.get_key_column, None, key_expr)], ""
    if model is None:
        # session.get(): assume the conventional primary key; unsafe below
        return [KeyPart("id", None, key_expr)], ""
    pk = model.primary_key
    if len(pk) == 1:
        return [KeyPart(pk[0], None, key_expr)], ""
    parts, why = get_key_parts(shape, model)
    if parts is None:
        return None, why or "the model's primary key is unknown or composite"
    return parts, ""


def _several_columns_gaps(
    ctx,
    shape: QueryShape,
    card: Cardinality,
    model,
    parts: list[KeyPart],
    item_keys: list,
    frame: Frame,
    ancestry,
    proved: list[str],
) -> list[str]:
    """`_contract_gaps` for a key of several columns: each column's key as a one-column
    key's, and one row a key when the columns (with those the query fixes) hold a
    primary key or unique set."""
    if model is None:
        return [
            f"`{ctx.code(_selected_model(shape))}` is not in the model index, so nullability and uniqueness are unknown"
        ]
    gaps: list[str] = []
    columns = ", ".join(part.column for part in parts)
    if parts[0].predicate is None:
        gaps.append(GET_ORDER_GAP.format(columns=columns))
    if not ctx.keys_checked_elsewhere:
        for part, item_key in zip(parts, item_keys):
            column = model.column(part.column)
            gaps.extend(key_gaps(ctx, model, column, item_key, frame, ancestry))
    if card is Cardinality.ONE:
        gaps.append(
            f"`.{shape.terminal.name}()` raises when a row is missing; the batch gives no such error"
        )
    unique = unique_columns(shape, model, parts, ctx.code(_selected_model(shape)))
    if unique and card in (Cardinality.OPTIONAL, Cardinality.FIRST):
        fixed = [c for c in unique if c not in {part.column for part in parts}]
        proved.append(
            f"one row at most a key: ({', '.join(unique)}) identifies a row of "
            f"`{model.name}`"
            + (f" and the query fixes {', '.join(fixed)}" if fixed else "")
        )
    if card is Cardinality.FIRST or (
        card is Cardinality.LIST and shape.limit is not None
    ):
        one_row = card is Cardinality.FIRST and bool(unique)
        if not one_row and not _deterministic_order(shape, model):
            what = "`.first()`" if card is Cardinality.FIRST else "the per-item LIMIT"
            gaps.append(
                f"{what} needs an ORDER BY that includes a unique column to pick the same rows"
            )
    return gaps


def _effective_cardinality(shape: QueryShape) -> Cardinality | None:
    """`.order_by(...).limit(1).one_or_none()` reads the first row, like `.first()`."""
    if shape.limit is None or shape.cardinality not in (
        Cardinality.OPTIONAL,
        Cardinality.ONE,
    ):
        return shape.cardinality
    args = shape.limit.call.args
    if (
        shape.cardinality is Cardinality.OPTIONAL
        and len(args) == 1
        and isinstance(args[0].value, cst.Integer)
        and args[0].value.value == "1"
    ):
        return Cardinality.FIRST
    return None


def _certain_key_miss(
    ctx, model, key_column: str, keys_key, frame: Frame, ancestry
) -> str | None:
    column = model.column(key_column) if model is not None else None
    if column is None or ctx.keys_checked_elsewhere:
        return None
    return certain_key_miss(
        ctx, model, column, keys_key, frame, ancestry
    ) or normalised_column_miss(ctx, model, column, keys_key)


def _contract_gaps(
    ctx,
    shape: QueryShape,
    card: Cardinality,
    model,
    key_column: str,
    key_expr,
    frame: Frame,
    ancestry,
    key_pred: Predicate | None = None,
    proved: list[str] | None = None,
) -> list[str]:
    """Preconditions of the rewrite contract that the code does not show; what the code
    does show beyond the obvious goes to `proved`, for the message."""
    proved = [] if proved is None else proved
    gaps: list[str] = []
    if model is None:
        return [
            f"`{ctx.code(_selected_model(shape)) if _selected_model(shape) is not None else counted_model(shape)}` is not in the model index, so nullability and uniqueness are unknown"
        ]
    column = model.column(key_column)
    if column is None:
        return [f"`{model.name}.{key_column}` is not a known column"]
    if not ctx.keys_checked_elsewhere and shape.get_key_column is None:
        # (Django's `.get(slug=key)` batched by `in_bulk(keys, field_name="slug")`:
        # its dict holds a key only for the row the `.get()` finds, and a key it
        # misses, None, another type or another case, reruns the `.get()`.)
        gaps.extend(key_gaps(ctx, model, column, key_expr, frame, ancestry))
    dialect_gaps = ctx.orm.batch_gaps(shape, model, key_column, card)
    if dialect_gaps is not None:
        return gaps + dialect_gaps
    if card is Cardinality.ONE:
        gaps.append(
            f"`.{shape.terminal.name}()` raises when a row is missing; the batch gives no such error"
        )
    unique_with = _unique_with_fixed_columns(shape, model, key_column, key_pred)
    if unique_with and card in (Cardinality.OPTIONAL, Cardinality.FIRST):
        proved.append(
            f"one row at most a key: ({', '.join(unique_with)}) identifies a row of "
            f"`{model.name}` and the query fixes all but `{key_column}`"
        )
    unique = model.is_unique(key_column) or bool(unique_with)
    if card is Cardinality.FIRST or (
        card is Cardinality.LIST and shape.limit is not None
    ):
        one_row = card is Cardinality.FIRST and unique  # at most one row a key
        if not one_row and not _deterministic_order(shape, model):
            what = "`.first()`" if card is Cardinality.FIRST else "the per-item LIMIT"
            gaps.append(
                f"{what} needs an ORDER BY that includes a unique column to pick the same rows"
            )
    return gaps


def _raises_on_duplicates(
    ctx,
    shape: QueryShape,
    card: Cardinality,
    model,
    parts: list[KeyPart],
    key_pred: Predicate | None,
) -> str | None:
    """Why no batch keeps what the query does with two rows of one key (None: it
    does). `.one_or_none()`, `.one()`, 1.x `Query.scalar()` raise MultipleResultsFound
    there; a batch that keeps one row a key would pick one silently, a changed outcome
    and an arbitrary row, so a key not shown unique gets no fix. Django's own checks
    (`batch_gaps`) and a model n1fix does not know are judged elsewhere."""
    if card not in (Cardinality.OPTIONAL, Cardinality.ONE) or model is None:
        return None
    if ctx.orm.batch_gaps(shape, model, parts[0].column, card) is not None:
        return None
    if len(parts) > 1:
        unique = unique_columns(shape, model, parts, ctx.code(_selected_model(shape)))
        what = f"({', '.join(part.column for part in parts)}) is not unique in `{model.name}`"
    else:
        key_column = parts[0].column
        unique = model.is_unique(key_column) or _unique_with_fixed_columns(
            shape, model, key_column, key_pred
        )
        what = f"`{model.name}.{key_column}` is not shown unique"
    if unique:
        return None
    terminal = shape.terminal.name if shape.terminal is not None else "get"
    return (
        f"{what}: `.{terminal}()` raises MultipleResultsFound on two rows of "
        "a key, where a batch would keep one of them"
    )


def _unique_with_fixed_columns(
    shape: QueryShape, model, key_column: str, key_pred: Predicate | None
) -> tuple[str, ...]:
    """The primary key or unique set of `model` that the key column completes: every
    other column of it is held to one value by an equality predicate of the query
    (`filter_by(project_id=project.id, asset_type_id=link.asset_type_id)` with the
    primary key (project_id, asset_type_id)). The rows of one key are then one at most.
    Empty when the key column is unique alone, or nothing shows it."""
    if key_pred is None or model.is_unique(key_column):
        return ()
    joins = {"join", "outerjoin", "join_from", "outerjoin_from", "select_from"}
    joined = any(mc.name in joins for mc in shape.statement_calls)
    selected = _selected_model(shape)
    entity = dotted_name(selected) if selected is not None else None
    fixed = {
        p.attr
        for p in shape.predicates
        if p is not key_pred
        and p.attr
        and model.column(p.attr) is not None
        # `filter_by` after a join filters the joined model
        and (p.model == entity if p.model is not None else not joined)
    }
    for columns in (model.primary_key, *model.unique_sets):
        if (
            len(columns) > 1
            and key_column in columns
            and set(columns) - {key_column} <= fixed
        ):
            return tuple(columns)
    return ()


def _deterministic_order(shape: QueryShape, model) -> bool:
    selected = _selected_model(shape)
    entity = dotted_name(selected) if selected is not None else None
    for term in shape.order_by:
        base = term
        if (
            isinstance(base, cst.Call)
            and isinstance(base.func, cst.Attribute)
            and base.func.attr.value in {"desc", "asc", "nulls_first", "nulls_last"}
        ):
            base = base.func.value
        elif (
            isinstance(base, cst.Call)
            and dotted_name(base.func) in {"desc", "asc", "sa.desc", "sa.asc"}
            and base.args
        ):
            base = base.args[0].value
        if (
            isinstance(base, cst.Attribute)
            and dotted_name(base.value) == entity
            and model.is_unique(base.attr.value)
        ):
            return True
    return False


def _iterated_directly(ancestry) -> bool:
    query = ancestry[-1]
    parent = ancestry[-2]
    if isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is query:
        return True
    if isinstance(parent, cst.Arg) and len(ancestry) > 2:
        call = ancestry[-3]
        return (
            isinstance(call, cst.Call)
            and dotted_name(call.func) in CONSUMING_CALLS
            and len(call.args) == 1
        )
    return False


_COPIES = {"list", "tuple", "sorted", "set", "enumerate"}


def _kept_as_object(shape: QueryShape) -> bool:
    """A query with nothing that runs it: rows of a model (a `select()` run by no
    session, a `Query` with no `.all()`), or a 1.x `Query` of columns with no terminal
    (`session.query(Tag.request_id).filter(...)`, which code more often turns into a
    clause with `.exists()` or `.subquery()` than iterates)."""
    if shape.terminal is not None:
        return False
    return shape.cardinality is Cardinality.LIST or (
        shape.cardinality is Cardinality.SCALAR
        and shape.style is Style.V1
        and shape.entity is None
    )


def _iterated_through_name(ancestry) -> bool:
    """`reviews = Review.objects.filter(...)` in a loop body, the name then read only as
    something iterated (`for r in reviews`, `[r.x for r in reviews]`, `list(reviews)`)
    and only in that loop body: the query's rows are all it gives, as when iterated
    directly."""
    query, parent = ancestry[-1], ancestry[-2]
    if not (
        isinstance(parent, cst.Assign)
        and len(parent.targets) == 1
        and isinstance(parent.targets[0].target, cst.Name)
        and parent.value is query
    ):
        return False
    target = parent.targets[0].target
    loop = next((n for n in reversed(ancestry) if isinstance(n, cst.For)), None)
    scope = next(
        (n for n in reversed(ancestry) if isinstance(n, (cst.FunctionDef, cst.Module))),
        None,
    )
    if loop is None or scope is None:
        return False
    # One read, in the loop body after the assignment, run once per item: a result that
    # can be iterated once only (SQLAlchemy's) gives its rows to that one read, as the
    # list the rewrite puts there does.
    reads = 0
    stack: list[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]] = [(scope, ())]
    while stack:
        node, above = stack.pop()
        if isinstance(node, cst.Name) and node.value == target.value:
            if node is target:
                continue
            reads += 1
            if reads > 1 or not _iterated_once(node, above, loop):
                return False
        stack.extend((child, (*above, node)) for child in children(node))
    return reads == 1


_REPEATS = (cst.For, cst.While, cst.CompFor, cst.FunctionDef, cst.Lambda, cst.ClassDef)


def _iterated_once(name: cst.Name, above: tuple[cst.CSTNode, ...], loop) -> bool:
    """Is `name` (under the ancestors `above`) read once per item of `loop`, as the
    iterable of a loop or of a comprehension's first `for`, or as the one argument of a
    call that copies or enumerates it?"""
    if loop not in above:
        return False
    path = above[above.index(loop) + 1 :]
    parent = path[-1] if path else None
    if isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is name:
        comprehension = path[-2] if len(path) > 1 else None
        if (
            isinstance(parent, cst.CompFor)
            and getattr(comprehension, "for_in", None) is not parent
        ):
            return False  # an inner `for` of a comprehension: evaluated per outer item
        inner = path[:-2] if isinstance(parent, cst.CompFor) else path[:-1]
    else:
        grandparent = path[-2] if len(path) > 1 else None
        if not (
            isinstance(parent, cst.Arg)
            and parent.keyword is None
            and isinstance(grandparent, cst.Call)
            and dotted_name(grandparent.func) in _COPIES
            and len(grandparent.args) == 1
        ):
            return False
        inner = path[:-2]
    return not any(isinstance(n, _REPEATS) for n in inner[1:])


def _module_uses_query_api(module: cst.Module) -> bool:
    for node in walk(module, into_scopes=True):
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "query"
        ):
            return True
    return False
