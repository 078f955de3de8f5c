"""The analysis behind `write-in-loop`: which write, which key or row, and is batching safe."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Iterable

import libcst as cst

from n1fix.analysis.item_facts import bindings, item_model, key_may_be_none, reiterable
from n1fix.cst.chains import dotted_name
from n1fix.cst.ancestry import nodes_with_ancestry
from n1fix.cst.loop_frames import Frame, loop_words
from n1fix.cst.syntax import (
    SCOPES,
    children,
    names_assigned,
    names_read,
    target_names,
    walk,
)
from n1fix.orm.dialect import Predicate, WriteShape
from n1fix.rules.base import Applicability, Finding
from n1fix.rules.write_in_loop.delete_loads import cascades_delete, delete_loads_plan
from n1fix.rules.write_in_loop.fresh_merge import judge_fresh_merge
from n1fix.rules.write_in_loop.loop_body import (
    body_blocker,
    other_statements_may_raise,
    reads_attribute,
)
from n1fix.rules.write_in_loop.merge import judge_merge


class WriteForm(str, enum.Enum):
    """The one statement the per-item writes become."""

    IN = "in"  # one statement with `Col.in_(keys)`
    ROWS = "rows"  # an INSERT executemany
    BY_PK = "by_pk"  # a bulk UPDATE by primary key
    BOUND = "bound"  # a Core UPDATE executemany with `bindparam()`s


@dataclass
class WritePlan:
    """Everything the codemod needs; it re-derives nothing."""

    form: WriteForm
    shape: WriteShape
    loop: cst.For
    statement: cst.SimpleStatementLine  # the write's line in the loop body
    in_place: bool  # collect keys/rows where the write was (else: a comprehension replaces the loop)
    item: cst.BaseExpression  # the key (in) or the row dict (rows), as code in the loop
    predicate: Predicate | None  # the `Col == key` predicate (in)
    column: cst.BaseExpression | None  # `Render.id` as written (in)
    entity_name: str  # the written model's (or table's) name; the codemod names the list after it
    scope: cst.CSTNode  # function or module, for fresh names
    # The loop's own list, when its items are the keys (`for render_id in render_ids:`)
    reuse_iterable: bool = False
    # "bound": the statement's per-item expressions, each replaced by `bindparam(name)`
    bound: tuple[tuple[cst.BaseExpression, str], ...] = ()


@dataclass
class RefreshPlan:
    """`session.refresh(obj)` per item -> one SELECT of all the objects' rows with
    `populate_existing`, the keys read from each object's identity (no load)."""

    loop: cst.For
    statement: cst.SimpleStatementLine  # the refresh's line, the whole loop body
    session: cst.BaseExpression
    is_async: bool
    target: cst.Name  # the loop's item
    model: str  # the mapped class as the module spells it (`Render`)
    key: str  # its one primary key attribute (`id`)
    scope: cst.CSTNode


def find(ctx, rule) -> Iterable[Finding]:
    for loop, ancestry in _for_loops(ctx.module):
        for node, path in _writes_in(loop):
            finding = _analyze(rule, ctx, loop, ancestry, node, path)
            if finding is not None:
                yield finding


# The loops of the module last asked about: the statement writes (`find`) and the
# model writes (`model_writes.find_model_writes`) each read the same module's.
_LAST: list = [None, None]
_FOR = frozenset({cst.For})


def _ANY(node, ancestry) -> bool:
    return True


def _for_loops(module: cst.Module) -> list[tuple[cst.For, list[cst.CSTNode]]]:
    """Every `for` statement with its ancestry (module first, the loop last)."""
    if _LAST[0] is module:
        return _LAST[1]
    found = [
        (loop, [*ancestry, loop])
        for loop, ancestry in nodes_with_ancestry(module, _ANY, _FOR)
    ]
    _LAST[0], _LAST[1] = module, found
    return found


def _writes_in(loop: cst.For) -> list[tuple[cst.CSTNode, list[cst.CSTNode]]]:
    """Calls in the loop body that may write, with the path from the body down to them.

    Nested loops are left to their own analysis, nested functions are not run per item.
    """
    found = []
    stack: list[tuple[cst.CSTNode, list[cst.CSTNode]]] = [(loop.body, [])]
    while stack:
        node, path = stack.pop()
        if isinstance(node, (*SCOPES, cst.For, cst.While)) and path:
            continue
        here = [*path, node]
        if isinstance(node, cst.Await) and isinstance(node.expression, cst.Call):
            found.append((node, path))
            continue
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            if node.func.attr.value in ("execute", "delete", "merge", "refresh"):
                found.append((node, path))
                continue
        stack.extend((child, here) for child in reversed(list(children(node))))
    found.reverse()
    return found


def _analyze(rule, ctx, loop: cst.For, ancestry, node, path) -> Finding | None:
    shape = ctx.orm.write_shape(node, ctx.imports, _statements_built_in(loop))
    if shape is not None:
        return _statement_write(rule, ctx, loop, ancestry, shape, path)
    call = node.expression if isinstance(node, cst.Await) else node
    if (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value in ("delete", "merge")
    ):
        return _session_call(rule, ctx, loop, ancestry, node, call, path)
    if (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value == "refresh"
    ):
        return _session_refresh(rule, ctx, loop, ancestry, node, call, path)
    return None


def _statements_built_in(loop: cst.For) -> dict[str, cst.BaseExpression]:
    """`stmt = <expression>` lines of the loop's own block, by name, for the names the
    body binds nowhere else (so `execute(stmt)` can only mean that expression)."""
    if not isinstance(loop.body, cst.IndentedBlock):
        return {}
    bindings_of: dict[str, int] = {}
    for node in walk(loop.body):
        if isinstance(node, cst.AssignTarget):
            targets = target_names(node.target)
        elif isinstance(
            node, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr, cst.For, cst.CompFor)
        ):
            targets = target_names(node.target)
        else:
            continue
        for name in targets:
            bindings_of[name] = bindings_of.get(name, 0) + 1
    built = {}
    for line in loop.body.body:
        if not (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1):
            continue
        assign = line.body[0]
        if (
            isinstance(assign, cst.Assign)
            and len(assign.targets) == 1
            and isinstance(assign.targets[0].target, cst.Name)
        ):
            name = assign.targets[0].target.value
            if bindings_of.get(name) == 1:
                built[name] = assign.value
    return built


def _frame(loop: cst.For, ancestry) -> Frame:
    targets = target_names(loop.target)
    return Frame(loop, len(ancestry) - 1, targets, targets | names_assigned(loop.body))


# --------------------------------------------------------------------- statements


def _statement_write(
    rule, ctx, loop: cst.For, ancestry, shape: WriteShape, path
) -> Finding | None:
    frame = _frame(loop, ancestry)
    varying = frame.varying
    if names_read(shape.target) & varying:
        return None  # a loop over tables or models: another statement per item, not another key
    entity = ctx.code(shape.target)
    entity_name = entity.rsplit(".", 1)[-1]
    if shape.kind == "insert":
        row = _row(shape)
        if row is None:
            return None  # nothing per item to send: not the pattern
        what = f"`{entity}` rows are inserted"
        done = "one executemany INSERT with the rows in loop order"
    else:
        what = (
            f"`{entity}` is updated"
            if shape.kind == "update"
            else f"`{entity}` rows are deleted"
        )
        done = f"one {shape.kind.upper()} with `in_()` on the key"
        if shape.params is not None:
            return None  # `execute(update(M), [...])`: already a bulk statement
        tied = [p for p in shape.predicates if names_read(p.value) & varying]
        if not any(p.attr for p in tied):
            return None  # not keyed per item by `Col == key` (a chunk of keys, a constant statement)

    def finding(
        applicability: Applicability,
        note: str | None,
        plan=None,
        fix_words: str | None = None,
    ) -> Finding:
        if shape.through is not None and applicability is not Applicability.NONE:
            # The rewrites rebuild the statement inside execute(); one built in a variable
            # first is reported with what it costs, not rewritten.
            applicability, plan = Applicability.NONE, None
            note = (
                f"the statement is built in `{shape.through}` first; n1fix rewrites a statement "
                f"written inside `execute(...)`"
            )
        message = f"{what} once per item of {loop_words(ctx, frame)} (N round trips)"
        if applicability is Applicability.SAFE:
            message += f"; fix: {fix_words or done}"
        elif applicability is Applicability.UNSAFE:
            message += f"; unsafe fix ({fix_words or done}): {note}"
        else:
            message += f"; no fix: {note}"
        return rule.finding_at(
            ctx, shape.node, message, applicability, note, plan, loop=loop
        )

    def no_fix(reason: str) -> Finding:
        return finding(Applicability.NONE, reason)

    statement = _own_statement(path)
    reason = _placement_blocker(loop, shape, path, statement)
    if reason:
        return no_fix(reason)
    if shape.opaque:
        return no_fix(
            f"the statement uses `.{shape.opaque[0]}()`, which n1fix does not batch"
        )
    if names_read(shape.session) & varying:
        return no_fix("the session or connection changes per item")
    not_a_session = ctx.orm.not_a_session(ctx, shape.session, ancestry)
    if not_a_session:
        return no_fix(
            f"`{ctx.code(shape.session)}` is {not_a_session}, not a session: its `execute` is the project's own function"
        )
    reason = body_blocker(ctx, loop, shape.node, ctx.code(shape.session), ancestry)
    if reason:
        return no_fix(reason)

    model = ctx.model_for(shape.target)
    mapped = shape.mapped or model is not None
    unsafe: list[str] = []
    if mapped and model is None:
        unsafe.append(
            f"`{entity}` is not in the model index, so its key's nullability and its event listeners are unknown"
        )
    elif not mapped and shape.kind != "insert":
        unsafe.append(
            f"`{entity}` is a Core table n1fix has no model for, so whether the key column may be NULL is unknown"
        )
    session_hooks = [
        (event, where)
        for event, where in ctx.project.models.session_listeners
        if event in _SESSION_STATEMENT_EVENTS or event == "?"
        if not (shape.kind == "insert" and event.startswith("after_bulk_"))
    ]
    if session_hooks:
        event, where = session_hooks[0]
        return no_fix(
            f"a session event listener (`{event}` at {where}) may run once per statement: once for the batch where the loop ran it once per key"
        )
    if model is not None:
        listeners = [
            (event, where)
            for event, where in model.listeners
            if event in _PER_ROW_EVENTS
        ]
        if listeners:
            event, where = listeners[0]
            return no_fix(
                f"`{model.name}` has ORM event listeners (`{event}` at {where}); bulk statements skip per-row hooks, so n1fix leaves its writes alone"
            )
        if model.version_id:
            return no_fix(
                f"`{model.name}` has a version counter (`version_id_col`), which bulk statements neither check nor bump"
            )

    if shape.kind == "insert":
        row = _row(shape)
        problem = _row_problem(ctx, row, shape)
        if problem:
            return no_fix(problem)
        item, predicate, column = row, None, None
    else:
        tied = [p for p in shape.predicates if names_read(p.value) & varying]
        if len(tied) > 1:
            return no_fix(
                "the statement is keyed by several columns at once; n1fix batches one-column keys"
            )
        predicate = tied[0]
        if not predicate.attr:
            return no_fix("a predicate other than `Col == key` changes per item")
        if predicate.via_filter_by and model is None:
            return no_fix(
                f"`{entity}` is not a model n1fix knows, so the column its `filter_by()` "
                "key names is unknown"
            )
        if not predicate.via_filter_by and predicate.model != entity:
            return no_fix(
                f"the key column `{predicate.model}.{predicate.attr}` is not on `{entity}`"
            )
        for other in shape.predicates:
            if other is not predicate and names_read(other.node) & varying:
                return no_fix("a second predicate changes per item")
        if shape.values is not None and any(
            names_read(arg.value) & varying for arg in shape.values.call.args
        ):
            if predicate.via_filter_by:
                return no_fix(
                    "the values change per item and the key is a `filter_by()` "
                    "keyword; write it as `M.col == key`"
                )
            if _is_connection(ctx, shape.session, ancestry):
                return _core_executemany(
                    ctx,
                    loop,
                    ancestry,
                    shape,
                    predicate,
                    model,
                    statement,
                    unsafe,
                    finding,
                )
            return _by_primary_key(
                ctx, loop, ancestry, shape, predicate, model, statement, unsafe, finding
            )
        column = _key_column(shape, predicate, entity)
        if model is not None:
            info = model.column(predicate.attr)
            if info is None:
                what_it_is = (
                    "a relationship"
                    if model.relationship(predicate.attr) is not None
                    else "not a column n1fix knows"
                )
                return no_fix(
                    f"`{model.name}.{predicate.attr}` is {what_it_is}; `in_()` needs a column"
                )
            # In a synthetic batch loop (`rules.query_in_loop.batch_variant`) the caller's keys are judged instead.
            if (
                info.nullable
                and not ctx.keys_checked_elsewhere
                and key_may_be_none(ctx, predicate.value, frame, ancestry)
            ):
                return no_fix(
                    f"`{model.name}.{predicate.attr}` is nullable and the key may be None "
                    "(`== None` matches NULL rows, `in_()` never does)"
                )
        if shape.kind == "update":
            written = _columns_written(shape)
            if reads_attribute(loop.body, written, shape.node):
                return no_fix(
                    f"the loop reads `.{sorted(reads_attribute(loop.body, written, shape.node))[0]}`, which the UPDATE "
                    "changes on loaded objects after each statement"
                )
            if _values_read_the_row(shape, entity):
                unsafe.append(
                    "a value reads the row itself; a key repeated in the loop had it applied once per repeat, the batch applies it once"
                )
        item = predicate.value

    in_place = not _only_statement(loop, statement)
    reuse = (
        not in_place
        and isinstance(item, cst.Name)
        and isinstance(loop.target, cst.Name)
        and item.value == loop.target.value
        and reiterable(loop.iter, ancestry, frame.index)
    )
    if in_place:
        risk = other_statements_may_raise(loop.body, statement)
        if risk:
            unsafe.append(risk)
    plan = WritePlan(
        form=WriteForm.ROWS if shape.kind == "insert" else WriteForm.IN,
        shape=shape,
        loop=loop,
        statement=statement,
        in_place=in_place,
        item=item,
        predicate=predicate,
        column=column,
        entity_name=entity_name,
        scope=next(
            (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)),
            ctx.module,
        ),
        reuse_iterable=reuse,
    )
    if unsafe:
        return finding(Applicability.UNSAFE, "; ".join(unsafe), plan)
    return finding(Applicability.SAFE, None, plan)


def _key_column(
    shape: WriteShape, predicate: Predicate, entity: str
) -> cst.BaseExpression:
    """The key column as the statement names it: the side of `Col == key` that is the
    column, or for `filter_by(col=key)` the attribute of the written model (built)."""
    if predicate.via_filter_by:
        return cst.Attribute(value=shape.target, attr=cst.Name(predicate.attr))
    left, right = predicate.node.left, predicate.node.comparisons[0].comparator
    return (
        left
        if dotted_name(left)
        in (f"{entity}.{predicate.attr}", f"{entity}.c.{predicate.attr}")
        else right
    )


def _by_primary_key(
    ctx,
    loop,
    ancestry,
    shape: WriteShape,
    predicate: Predicate,
    model,
    statement,
    unsafe,
    finding,
) -> Finding:
    """An UPDATE whose values change per item, keyed by the primary key: one ORM bulk
    UPDATE by primary key, `session.execute(update(M), [{"id": ..., "col": ...}, ...])`.

    Always unsafe: that form raises `StaleDataError` when a key matches no row, where the
    per-item UPDATE updated nothing.
    """
    entity = ctx.code(shape.target)

    def no_fix(reason: str) -> Finding:
        return finding(Applicability.NONE, f"the values change per item and {reason}")

    if model is None:
        return no_fix(
            f"`{entity}` is not a model n1fix knows (a bulk UPDATE by primary key needs one)"
        )
    if model.primary_key != (predicate.attr,):
        return no_fix(
            f"the key `{predicate.attr}` is not `{model.name}`'s primary key (a bulk UPDATE needs it)"
        )
    if len(shape.predicates) > 1:
        return no_fix(
            "the statement has other conditions, which a bulk UPDATE by primary key cannot keep"
        )
    if any(
        mc.name != "values" for mc in shape.calls if mc.name not in ("where", "filter")
    ):
        return no_fix(
            "the statement has options a bulk UPDATE by primary key does not take"
        )
    session = dotted_name(shape.session) or ""
    if "session" not in session.rsplit(".", 1)[-1].lower():
        return no_fix(
            f"`{ctx.code(shape.session)}` may be a Connection; a bulk UPDATE by primary key needs an ORM Session"
        )
    args = shape.values.call.args
    if not args or any(arg.keyword is None for arg in args):
        return no_fix("the values are not given as keywords")
    if predicate.attr in {arg.keyword.value for arg in args}:
        return no_fix("the UPDATE changes the primary key itself")
    row = cst.Dict(
        [cst.DictElement(cst.SimpleString(f'"{predicate.attr}"'), predicate.value)]
        + [
            cst.DictElement(cst.SimpleString(f'"{arg.keyword.value}"'), arg.value)
            for arg in args
        ]
    )
    problem = _row_problem(ctx, row, shape)
    if problem:
        return no_fix(problem)
    written = _columns_written(shape)
    if reads_attribute(loop.body, written, shape.node):
        return no_fix(
            f"the loop reads `.{sorted(reads_attribute(loop.body, written, shape.node))[0]}`, which each UPDATE changes"
        )
    reasons = [
        *unsafe,
        "a bulk UPDATE by primary key raises StaleDataError when a key matches no row, where the per-item UPDATE updated nothing",
    ]
    plan = _rows_plan(
        WriteForm.BY_PK,
        shape,
        loop,
        ancestry,
        statement,
        row,
        predicate,
        model.name,
        reasons,
    )
    return finding(
        Applicability.UNSAFE,
        "; ".join(reasons),
        plan,
        "one bulk UPDATE by primary key, an executemany",
    )


def _core_executemany(
    ctx,
    loop,
    ancestry,
    shape: WriteShape,
    predicate: Predicate,
    model,
    statement,
    unsafe,
    finding,
) -> Finding:
    """An UPDATE whose values change per item, run on a Connection: one Core executemany of
    the same statement with `bindparam()`s, `conn.execute(update(T).where(T.id ==
    bindparam("b_id")).values(x=bindparam("b_x")), rows)`. The database runs the statement
    once per row as before, in loop order; only the round trips go."""
    entity = ctx.code(shape.target)
    frame = _frame(loop, ancestry)

    def no_fix(reason: str) -> Finding:
        return finding(Applicability.NONE, f"the values change per item and {reason}")

    args = shape.values.call.args
    if not args or any(arg.keyword is None or arg.star for arg in args):
        return no_fix("the values are not given as keywords")
    if model is not None:
        info = model.column(predicate.attr)
        if info is None:
            return no_fix(
                f"`{model.name}.{predicate.attr}` is not a column n1fix knows"
            )
        if info.nullable and key_may_be_none(ctx, predicate.value, frame, ancestry):
            return no_fix(
                f"`{model.name}.{predicate.attr}` is nullable and the key may be None "
                "(`== None` matches NULL rows, `== bindparam()` given None never does)"
            )
    varying = [arg for arg in args if names_read(arg.value) & frame.varying]
    # A rename (`.where(T.c.name == old).values(name=new)`) binds the old value apart.
    written = {arg.keyword.value for arg in args}
    key_name = (
        f"b_old_{predicate.attr}"
        if predicate.attr in written
        else f"b_{predicate.attr}"
    )
    bound = [
        (predicate.value, key_name),
        *((arg.value, f"b_{arg.keyword.value}") for arg in varying),
    ]
    row = cst.Dict(
        [cst.DictElement(cst.SimpleString(f'"{name}"'), value) for value, name in bound]
    )
    problem = _row_problem(ctx, row, shape)
    if problem:
        return no_fix(problem)
    reasons = list(unsafe)
    name = model.name if model is not None else entity.rsplit(".", 1)[-1]
    plan = _rows_plan(
        WriteForm.BOUND,
        shape,
        loop,
        ancestry,
        statement,
        row,
        predicate,
        name,
        reasons,
        tuple(bound),
    )
    words = "one executemany of the UPDATE with `bindparam()`s"
    if reasons:
        return finding(Applicability.UNSAFE, "; ".join(reasons), plan, words)
    return finding(Applicability.SAFE, None, plan, words)


def _rows_plan(
    form,
    shape,
    loop,
    ancestry,
    statement,
    row,
    predicate,
    entity_name: str,
    reasons: list[str],
    bound=(),
) -> WritePlan:
    """The plan of an UPDATE executemany of one row per item (`by_pk`, `bound`); adds to
    `reasons` what makes it unsafe when the rows are collected in a loop that does more."""
    in_place = not _only_statement(loop, statement)
    if in_place:
        risk = other_statements_may_raise(loop.body, statement)
        if risk:
            reasons.append(risk)
    return WritePlan(
        form=form,
        shape=shape,
        loop=loop,
        statement=statement,
        in_place=in_place,
        item=row,
        predicate=predicate,
        column=None,
        entity_name=entity_name,
        scope=next(
            (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)),
            ancestry[0],
        ),  # the module
        bound=bound,
    )


_CONNECTION_TYPES = {"Connection", "AsyncConnection"}


def _is_connection(ctx, receiver: cst.BaseExpression, ancestry) -> bool:
    """`receiver` is shown to be a Core Connection: a parameter annotated `Connection`
    (`AsyncConnection`) from sqlalchemy, or a name bound by `engine.connect()`,
    `engine.begin()` (in a `with` too), `session.connection()` or alembic's
    `op.get_bind()`, and by nothing else."""
    if not isinstance(receiver, cst.Name):
        return False
    name = receiver.value
    found = list(bindings(name, ancestry))
    scope = next(
        (n for n in reversed(ancestry) if isinstance(n, (cst.FunctionDef, cst.Module))),
        ancestry[0],
    )
    for node in walk(scope):
        if (
            isinstance(node, cst.WithItem)
            and node.asname is not None
            and name in target_names(node.asname.name)
        ):
            found.append((node.item, None))
    if not found:
        return False
    return all(
        _connection_binding(ctx, value, annotation) for value, annotation in found
    )


def _connection_binding(ctx, value, annotation) -> bool:
    if annotation is not None:
        spelled = dotted_name(annotation) or ""
        head, _, rest = spelled.partition(".")
        qualified = ctx.imports.get(head, head) + ("." + rest if rest else "")
        return (
            qualified.startswith("sqlalchemy.")
            and qualified.rsplit(".", 1)[-1] in _CONNECTION_TYPES
        )
    if isinstance(value, cst.Await):
        value = value.expression
    if not (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and not value.args
    ):
        return False
    owner = (dotted_name(value.func.value) or "").rsplit(".", 1)[-1].lower()
    method = value.func.attr.value
    if (
        method == "get_bind"
        and ctx.imports.get(dotted_name(value.func.value) or "") == "alembic.op"
    ):
        return True
    return (
        method in ("connect", "begin")
        and "engine" in owner
        or method == "connection"
        and "session" in owner
    )


def _own_statement(path) -> cst.SimpleStatementLine | None:
    """The line the write is alone on (`session.execute(...)` as an expression statement)."""
    if (
        len(path) < 2
        or not isinstance(path[-1], cst.Expr)
        or not isinstance(path[-2], cst.SimpleStatementLine)
    ):
        return None
    line = path[-2]
    return line if len(line.body) == 1 else None


def _placement_blocker(loop: cst.For, shape: WriteShape, path, statement) -> str | None:
    if loop.orelse is not None:
        return "the loop has an `else:` block"
    for node in path:
        if isinstance(node, (cst.Try, cst.TryStar)):
            return (
                "a `try` around each write isolates one item's failure from the others"
            )
        if isinstance(node, cst.With):
            return "the write sits in a `with` block (a transaction or lock per item?)"
        if isinstance(node, cst.Match):
            return "the write sits in a `match` statement"
    if statement is None:
        parent = path[-1] if path else None
        if isinstance(parent, cst.Attribute) or isinstance(
            parent, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.NamedExpr)
        ):
            return "the loop uses each statement's result (its `rowcount` or rows)"
        return "the statement's result is used per item"
    return None


def _only_statement(loop: cst.For, statement) -> bool:
    """The loop body is just the write (so a comprehension can replace the whole loop)."""
    body = loop.body
    return (
        loop.asynchronous is None
        and isinstance(body, cst.IndentedBlock)
        and len(body.body) == 1
        and body.body[0] is statement
    )


def _columns_written(shape: WriteShape) -> set[str]:
    if shape.values is None:
        return set()
    cols = set()
    for arg in shape.values.call.args:
        if arg.keyword is not None:
            cols.add(arg.keyword.value)
        elif isinstance(arg.value, cst.Dict):
            for element in arg.value.elements:
                if isinstance(element, cst.DictElement) and isinstance(
                    element.key, cst.SimpleString
                ):
                    cols.add(element.key.evaluated_value)
                elif isinstance(element, cst.DictElement) and isinstance(
                    element.key, cst.Attribute
                ):
                    cols.add(element.key.attr.value)
    return cols


def _values_read_the_row(shape: WriteShape, entity: str) -> bool:
    """`values(n=Render.n + 1)`: the new value depends on the row's current one."""
    if shape.values is None:
        return False
    for arg in shape.values.call.args:
        for node in [arg.value, *walk(arg.value)]:
            if isinstance(node, cst.Attribute) and dotted_name(node.value) == entity:
                return True
    return False


# Mapper and attribute events that fire per row or per object: configuration events
# (`before_configured`, `mapper_configured`, `instrument_class`) say nothing about writes.
_PER_ROW_EVENTS = {
    "before_insert",
    "after_insert",
    "before_update",
    "after_update",
    "before_delete",
    "after_delete",
    "set",
    "append",
    "remove",
    "init",
    "load",
    "refresh",
    "modified",
    "?",
}
# Session listeners on each statement (a `Session`, a `sessionmaker`, one session's):
# a batch runs them once, not once per key.
_SESSION_STATEMENT_EVENTS = {"after_bulk_delete", "after_bulk_update", "do_orm_execute"}

_SQL_NAMES = {
    "func",
    "text",
    "select",
    "literal",
    "literal_column",
    "bindparam",
    "case",
    "cast",
    "null",
    "true",
    "false",
    "and_",
    "or_",
    "not_",
    "column",
    "exists",
    "tuple_",
    "type_coerce",
}


def _row(shape: WriteShape) -> cst.BaseExpression | None:
    """The per-item row of an INSERT: `.values(a=..)` as a dict, a dict argument, or the
    parameters given to execute()."""
    if shape.values is not None and shape.params is not None:
        return None
    if shape.params is not None:
        return shape.params
    if shape.values is None:
        return None
    args = shape.values.call.args
    if len(args) == 1 and args[0].keyword is None and not args[0].star:
        return args[0].value
    if all(arg.keyword is not None for arg in args) and args:
        return cst.Dict(
            [
                cst.DictElement(cst.SimpleString(f'"{arg.keyword.value}"'), arg.value)
                for arg in args
            ]
        )
    return None


def _row_problem(ctx, row: cst.BaseExpression, shape: WriteShape) -> str | None:
    if not isinstance(row, cst.Dict):
        return f"the row (`{ctx.code(row)}`) is not a dict written in the loop; n1fix cannot show each item gets its own"
    for element in row.elements:
        if not isinstance(element, cst.DictElement) or not isinstance(
            element.key, cst.SimpleString
        ):
            return "the row's keys are not all plain strings"
        value = element.value
        names = names_read(value)
        if names & _SQL_NAMES or names & {dotted_name(shape.target) or ""}:
            return f"a value is a SQL expression (`{_code(ctx, value)}`); an executemany takes plain values"
    return None


def _code(ctx, node) -> str:
    try:
        return ctx.code(node)
    except Exception:  # a node built here, not in the module
        return cst.Module([]).code_for_node(node)


# --------------------------------------------------------------------- session.delete / merge


def _built_without_primary_key(ctx, arg: cst.BaseExpression, loop: cst.For) -> bool:
    """`merge(GdriveId(path=p))`, or `obj = TI(...)` then `merge(obj)`, where the primary
    key is neither passed nor assigned in the loop (a database default fills it later)."""
    constructor = arg
    assigned: set[str] = set()
    if isinstance(arg, cst.Name):
        values = [
            node.value
            for node in walk(loop.body)
            if isinstance(node, cst.Assign)
            and any(
                isinstance(t.target, cst.Name) and t.target.value == arg.value
                for t in node.targets
            )
        ]
        if len(values) != 1:
            return False
        constructor = values[0]
        assigned = {
            t.target.attr.value
            for node in walk(loop.body)
            if isinstance(node, cst.Assign)
            for t in node.targets
            if isinstance(t.target, cst.Attribute)
            and isinstance(t.target.value, cst.Name)
            and t.target.value.value == arg.value
        }
    if not isinstance(constructor, cst.Call):
        return False
    model = ctx.model_for(constructor.func)
    # Positional arguments mean a custom __init__, which may set the key itself.
    if (
        model is None
        or not model.primary_key
        or any(a.star or a.keyword is None for a in constructor.args)
    ):
        return False
    given = assigned | {a.keyword.value for a in constructor.args}
    return not set(model.primary_key) <= given


def _rows_of_a_query(ctx, iterable: cst.BaseExpression, ancestry) -> bool:
    """The loop iterates rows a query in this function loaded (directly or through a name)."""
    if isinstance(iterable, (cst.Call, cst.Await)):
        return ctx.orm.query_shape(iterable) is not None
    if isinstance(iterable, cst.Name):
        values = [value for value, _ in bindings(iterable.value, ancestry)]
        return bool(values) and all(
            isinstance(value, (cst.Call, cst.Await))
            and ctx.orm.query_shape(value) is not None
            for value in values
        )
    return False


def _session_call(
    rule, ctx, loop: cst.For, ancestry, node, call: cst.Call, path
) -> Finding | None:
    method = call.func.attr.value
    receiver = dotted_name(call.func.value)
    if receiver is None or "session" not in receiver.rsplit(".", 1)[-1].lower():
        return None
    if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
        return None
    frame = _frame(loop, ancestry)
    arg = call.args[0].value
    if not names_read(arg) & frame.varying:
        return None
    where = loop_words(ctx, frame)
    shown = f"`{receiver}.{method}({ctx.code(arg)})`"
    if method == "merge":
        if (
            isinstance(arg, cst.Name)
            and arg.value in frame.targets
            and _rows_of_a_query(ctx, loop.iter, ancestry)
        ):
            return None  # rows this function loaded: merge finds each in the session, no SELECT
        if _built_without_primary_key(ctx, arg, loop):
            return (
                None  # no identity to look up: merge adds the object without a SELECT
            )
        return _merge_finding(rule, ctx, loop, ancestry, frame, node, call, path, shown)
    if not (isinstance(arg, cst.Name) and arg.value in frame.targets):
        return None
    model = item_model(ctx, frame, ancestry)
    if model is None:
        return None
    loaded = [
        rel
        for rel in model.relationships.values()
        if rel.uselist is not False
        and not rel.viewonly
        and not rel.passive_deletes
        and rel.direction in ("one_to_many", "many_to_many")
    ]
    if not loaded:
        return None  # the unit of work sends the DELETEs together at flush: nothing per item
    judged = delete_loads_plan(ctx, loop, ancestry, call, model, loaded)
    if judged is None:
        return None  # the query loads every collection the deletes load: no SELECT per item
    applicability, note, plan = judged
    rels = (
        [model.relationships[attr] for attr in plan.attrs]
        if plan is not None
        else loaded[:1]
    )
    actions = {"delete" if cascades_delete(rel) else "unlink" for rel in rels}
    action = " or ".join(sorted(actions))
    named = " and ".join(f"`{model.name}.{rel.attr}`" for rel in rels)
    message = (
        f"{shown} runs once per item of {where}: the DELETEs go out together at flush, but first the session "
        f"loads {named} of each item to {action} its rows (a SELECT per item unless loaded); "
        f"{_FIX_WORDS[applicability]}: {note}"
    )
    fix_note = None if applicability is Applicability.SAFE else note
    return rule.finding_at(
        ctx, node, message, applicability, fix_note, plan=plan, loop=loop
    )


_FIX_WORDS = {
    Applicability.SAFE: "fix",
    Applicability.UNSAFE: "unsafe fix",
    Applicability.NONE: "no fix",
}


def _merge_finding(
    rule, ctx, loop, ancestry, frame, node, call, path, shown
) -> Finding | None:
    fresh = judge_fresh_merge(ctx, loop, ancestry, node, call, path)
    if fresh is not None:
        applicability, why, plan = fresh
        message = (
            f"{shown} runs once per item of {loop_words(ctx, frame)}: each merge looks"
            " its object up by primary key first (a SELECT per item), for a row that"
            f" cannot exist; {_FIX_WORDS[applicability]} (`session.add()`): {why}"
        )
        fix_note = None if applicability is Applicability.SAFE else why
        return rule.finding_at(
            ctx, node, message, applicability, fix_note, plan, loop=loop
        )
    judged = judge_merge(ctx, loop, ancestry, frame, node, call, path)
    if judged is None:
        return None  # every merge has the same key: one SELECT at most
    applicability, reasons, plan = judged
    message = (
        f"{shown} runs once per item of {loop_words(ctx, frame)}: each merge looks its"
        " object up by primary key first (a SELECT per item unless it is already in the"
        " session)"
    )
    fix_words = (
        "one query before the loop loads the rows the merges look up, so each merge"
        " finds its row in the session"
    )
    note = "; ".join(reasons)
    if applicability is Applicability.SAFE:
        message += f"; fix: {fix_words}"
    elif applicability is Applicability.UNSAFE:
        message += f"; unsafe fix ({fix_words}): {note}"
    else:
        note = (
            f"{note}; load the existing rows with one `in_` query before the loop (merge"
            " then finds them in the session), or write them with one bulk statement"
        )
        message += f"; no fix: {note}"
    return rule.finding_at(
        ctx, node, message, applicability, note or None, plan, loop=loop
    )


# --------------------------------------------------------------------- session.refresh


def _session_refresh(
    rule, ctx, loop: cst.For, ancestry, node, call: cst.Call, path
) -> Finding | None:
    """`session.refresh(obj)` per item: a SELECT per object. One SELECT of all their keys
    with `populate_existing` reloads them at once (an unsafe fix, see the rule's docs)."""
    receiver = dotted_name(call.func.value)
    if receiver is None or "session" not in receiver.rsplit(".", 1)[-1].lower():
        return None
    if not call.args or call.args[0].keyword is not None or call.args[0].star:
        return None
    frame = _frame(loop, ancestry)
    arg = call.args[0].value
    if not names_read(arg) & frame.varying:
        return None
    shown = f"`{receiver}.refresh({ctx.code(arg)})`"
    message = f"{shown} runs once per item of {loop_words(ctx, frame)}: a SELECT per object (N round trips)"

    def no_fix(reason: str) -> Finding:
        return rule.finding_at(
            ctx,
            node,
            f"{message}; no fix: {reason}",
            Applicability.NONE,
            reason,
            loop=loop,
        )

    if len(call.args) > 1:
        return no_fix(
            "refresh() is given `attribute_names` or `with_for_update`, which one SELECT of whole rows does not keep"
        )
    if loop.asynchronous is not None:
        return no_fix("an `async for` loop's items are produced as it runs")
    if loop.orelse is not None:
        return no_fix("the loop has an `else:` block")
    statement = _own_statement(path)
    if statement is None or not _only_statement(loop, statement):
        return no_fix(
            "the loop does more than refresh its objects; n1fix only replaces a loop that does nothing else"
        )
    if not (
        isinstance(arg, cst.Name)
        and isinstance(loop.target, cst.Name)
        and arg.value == loop.target.value
    ):
        return no_fix("the object refreshed is not the loop's item")
    model = item_model(ctx, frame, ancestry)
    if model is None:
        return no_fix(
            "the objects' model is unknown (load them with a query of one model, or annotate `list[Model]`)"
        )
    if len(model.primary_key) != 1:
        return no_fix(
            f"`{model.name}` has a composite primary key; n1fix batches one-column keys"
        )
    listeners = [
        (event, where)
        for event, where in model.listeners
        if event in ("refresh", "load", "?")
    ]
    if listeners:
        event, where = listeners[0]
        return no_fix(
            f"`{model.name}` has ORM event listeners (`{event}` at {where}), which see one refresh per object"
        )
    spelled = _spelling_of(ctx, model)
    if spelled is None:
        return no_fix(
            f"`{model.name}` is not imported in this module, so the SELECT cannot name it"
        )
    key = model.primary_key[0]
    plan = RefreshPlan(
        loop=loop,
        statement=statement,
        session=call.func.value,
        is_async=isinstance(node, cst.Await),
        target=loop.target,
        model=spelled,
        key=key,
        scope=next(
            (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)),
            ctx.module,
        ),
    )
    note = (
        "refresh() raises for an object that is not persistent or whose row is gone, where one SELECT "
        "of the keys skips it and leaves it expired; and refresh() loads the object's eager "
        "relationships and options per object, which the SELECT of the model loads as its mapping says"
    )
    fix_words = "one SELECT of all the keys with `populate_existing`"
    return rule.finding_at(
        ctx,
        node,
        f"{message}; unsafe fix ({fix_words}): {note}",
        Applicability.UNSAFE,
        note,
        plan,
        loop=loop,
    )


def _spelling_of(ctx, model) -> str | None:
    """A name this module has for `model`: an import of it, or its own class."""
    candidates = [local for local in ctx.imports if "." not in local]
    candidates += [s.name.value for s in ctx.module.body if isinstance(s, cst.ClassDef)]
    return next(
        (name for name in candidates if ctx.model_for(cst.Name(name)) == model), None
    )
