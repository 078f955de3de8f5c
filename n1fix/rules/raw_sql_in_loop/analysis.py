"""Which SQL strings run per item of a loop, and whether one batched statement may replace
them: a SELECT keyed by the item (-> an expanding `IN`, rows grouped by the key column),
or a write whose parameters come from the item (-> one `executemany`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import libcst as cst

from n1fix.analysis.item_facts import key_type_gap, reiterable
from n1fix.analysis.loop_safety import early_exit, inspect_body
from n1fix.analysis.string_collation import is_string_type, string_collation_gap
from n1fix.cst.ancestry import nodes_with_ancestry
from n1fix.cst.loop_frames import Frame, frames_of, is_conditional_in, loop_words
from n1fix.cst.syntax import (
    is_pure_key,
    names_assigned,
    names_read,
    target_names,
    walk,
)
from n1fix.rules.base import Applicability, Finding
from n1fix.sql.calls import RawSqlCall, raw_sql_call
from n1fix.sql.drivers import (
    ASYNCPG,
    PSYCOPG,
    PSYCOPG2,
    SQLALCHEMY,
    FileDrivers,
    declares_psycopg2,
    file_drivers,
)
from n1fix.sql.statements import (
    DELETE,
    INSERT,
    SELECT,
    UPDATE,
    KeyComparison,
    SqlFacts,
    Unreadable,
)

# What `--verbose` shows: the strings left alone, and why.
NOTES = logging.getLogger("n1fix.sql")
WRITES = (INSERT, UPDATE, DELETE)
FETCH_ALL = {"all", "fetchall"}
# Row attributes that are methods of SQLAlchemy's Row, not its columns.
_ROW_METHODS = {"count", "index", "keys", "t", "tuple"}


@dataclass
class SelectPlan:
    """A per-item SELECT through text() -> one expanding-IN query, grouped by key."""

    raw: RawSqlCall
    loop: cst.For
    statement: cst.SimpleStatementLine  # `rows = <call>.all()`, in the loop's body
    key: KeyComparison
    key_expr: cst.BaseExpression  # the item's key (`user.id`)
    operator_start: int  # offset in the SQL of the `=` before the placeholder
    reiterable: bool  # the loop's iterable may be iterated twice
    array_type: str | None = None  # asyncpg: the key column's PostgreSQL type
    # psycopg: `rows = cur.fetchall()` right after `cur.execute(...)` (statement above),
    # None when the rows are read in the same statement (`cur.execute(...).fetchall()`)
    fetch: cst.SimpleStatementLine | None = None
    key_index: int = 0  # the key column's position in the selected columns


@dataclass
class WritePlan:
    """A per-item INSERT/UPDATE/DELETE -> one executemany of the same statement."""

    raw: RawSqlCall
    loop: cst.For
    statement: cst.SimpleStatementLine  # the write, the loop body's only statement
    awaited: bool
    table: str | None
    kind: str
    # The loop does more: collect the rows where the write was, run it after the loop.
    collect: bool = False


def find(ctx, rule) -> Iterable[Finding]:
    drivers = file_drivers(ctx.imports, ctx.text)
    for call, ancestry in _calls_in_loops(ctx.module):
        raw = raw_sql_call(call, drivers)
        if raw is None:
            continue
        frames = frames_of(ancestry)
        if not frames:
            continue
        frame = frames[-1]
        facts = raw.facts
        if isinstance(facts, Unreadable):
            # left alone: a string n1fix cannot read is never guessed at
            NOTES.info(
                "%s:%d: SQL string in a loop not read, left alone: %s",
                ctx.display_path,
                ctx.range_of(raw.call).start.line,
                facts.reason,
            )
            continue
        if not _varies(raw, frame):
            continue  # the same statement each time: not keyed by the item
        if facts.kind == SELECT:
            yield _select_finding(rule, ctx, raw, facts, frame, ancestry)
        elif facts.kind in WRITES:
            yield _write_finding(rule, ctx, raw, facts, frame, ancestry, drivers)


def _calls_in_loops(module: cst.Module):
    """Every call with a loop or comprehension around it, with its ancestry."""
    for node, ancestry in nodes_with_ancestry(module, _ANY, _CALL):
        yield node, [*ancestry, node]


_CALL = frozenset({cst.Call})


def _ANY(node, ancestry) -> bool:
    return True


def _param_values(raw: RawSqlCall) -> list[cst.BaseExpression]:
    if raw.params is None:
        return []
    return list(raw.params.values() if isinstance(raw.params, dict) else raw.params)


def _varies(raw: RawSqlCall, frame: Frame) -> bool:
    """Do the parameters (or, unknown, the arguments) read a name that changes per item?"""
    if raw.params is None:
        nodes = [raw.params_node] if raw.params_node is not None else []
    else:
        nodes = _param_values(raw)
    return any(names_read(node) & frame.varying for node in nodes)


def _value_of(raw: RawSqlCall, key: KeyComparison) -> cst.BaseExpression | None:
    """The parameter value bound to a placeholder."""
    if raw.params is None:
        return None
    mark = key.placeholder.key
    if isinstance(raw.params, dict):
        return raw.params.get(mark) if isinstance(mark, str) else None
    if isinstance(mark, int) and 1 <= mark <= len(raw.params):
        return raw.params[mark - 1]
    return None


def _message(ctx, raw: RawSqlCall, facts: SqlFacts, frame: Frame) -> str:
    what = facts.kind.upper() + (f" on `{facts.table}`" if facts.table else "")
    return f"{what} written as SQL runs once per item of {loop_words(ctx, frame)}"


def _select_finding(rule, ctx, raw, facts: SqlFacts, frame: Frame, ancestry):
    message = _message(ctx, raw, facts, frame)
    plan, note, safe = _select_plan(ctx, raw, facts, frame, ancestry)
    if plan is None:
        return rule.finding_at(ctx, raw.call, message, fix_note=note, loop=frame.node)
    return rule.finding_at(
        ctx,
        raw.call,
        message,
        Applicability.SAFE if safe else Applicability.UNSAFE,
        fix_note=note,
        plan=plan,
        loop=frame.node,
    )


# The SELECTs batched: text() through SQLAlchemy, asyncpg's fetch, a psycopg cursor.
BATCHED_SELECTS = {
    (SQLALCHEMY, "execute"),
    (ASYNCPG, "fetch"),
    (PSYCOPG, "execute"),
    (PSYCOPG2, "execute"),
}
PSYCOPGS = (PSYCOPG, PSYCOPG2)


def _select_plan(ctx, raw, facts: SqlFacts, frame: Frame, ancestry):
    """(plan, note, safe): the plan of a batched SELECT, or None and why not."""
    if (raw.api, raw.method) not in BATCHED_SELECTS:
        return (
            None,
            "n1fix batches SELECTs sent through text(), asyncpg's fetch and psycopg's "
            "execute only",
            False,
        )
    if facts.table is None or facts.complications:
        why = ", ".join(facts.complications) or "it reads no single table"
        return None, f"the query has {why}: an IN list would change its rows", False
    if facts.limit is not None:
        return (
            None,
            "a per-item LIMIT needs a window function, which n1fix does not write",
            False,
        )
    keyed = [
        (key, value)
        for key in facts.keys
        if (value := _value_of(raw, key)) is not None
        and names_read(value) & frame.varying
    ]
    if len(keyed) != 1:
        return None, "not exactly one `col = placeholder` keyed by the item", False
    key, key_expr = keyed[0]
    others = [v for v in _param_values(raw) if v is not key_expr]
    if any(names_read(v) & frame.varying for v in others):
        return None, "another parameter changes per item", False
    if sum(p.key == key.placeholder.key for p in facts.placeholders) != 1:
        return None, f"the placeholder `{key.placeholder.key}` is used twice", False
    if not is_pure_key(key_expr) or not names_read(key_expr) <= frame.targets:
        return None, "the key is not a plain read of the loop's item", False
    if frame.is_for and names_read(key_expr) & names_assigned(frame.node.body):
        return (
            None,
            "the loop body rebinds the key's name: it is not the item as iterated",
            False,
        )
    if facts.selected is None or facts.selected.count(key.column) != 1:
        return (
            None,
            (
                f"the query does not select `{key.column}` by name: grouping the rows"
                " by it would need the column added, changing the rows' shape"
            ),
            False,
        )
    if not key.column.isidentifier() or key.column in _ROW_METHODS:
        return None, f"`row.{key.column}` would not read the column", False
    operator = _operator_before(raw.sql, key.placeholder.start)
    if operator is None:
        return None, "the comparison is not written `column = placeholder`", False
    if not frame.is_for or frame.node.orelse is not None:
        return None, "only a `for` statement (without `else`) is batched", False
    if frame.node.asynchronous is not None:
        return None, "an `async for` is not batched", False
    statement, fetch = _fetch_statement(raw, frame, ancestry)
    if statement is None:
        return (
            None,
            (
                "the rows are not read with `.all()`/`.fetchall()` into a name, in"
                " the loop's own body"
            ),
            False,
        )
    if is_conditional_in(ancestry, frame.index, ancestry.index(statement)):
        return None, "the query does not run for every item", False
    exit_note = early_exit(frame.node.body)
    if exit_note:
        return None, exit_note, False
    blocking, weakening = _body_verdict(ctx, raw, frame, statement)
    if blocking:
        return None, blocking, False
    array_type = None
    if raw.api == ASYNCPG:
        array_type = _array_type(ctx, facts, key)
        if array_type is None:
            return (
                None,
                f"the type of `{facts.table}.{key.column}` is not known from the model "
                "index, for the `= ANY($1::type[])` cast",
                False,
            )
    plan = SelectPlan(
        raw,
        frame.node,
        statement,
        key,
        key_expr,
        operator,
        reiterable(frame.node.iter, ancestry, frame.index),
        array_type,
        fetch,
        facts.selected.index(key.column),
    )
    gap = _type_gap(ctx, facts, key, key_expr, frame, ancestry)
    note = weakening or gap
    if raw.api in PSYCOPGS and note is None:
        # The cursor's row factory is set where it or its connection was made: tuples
        # by default, but a dict row factory would make `row[i]` a KeyError.
        note = (
            "the rows are grouped by `row[%d]`, which reads psycopg's default tuple "
            "rows; the cursor's row factory is not shown from the code" % plan.key_index
        )
    return plan, note, note is None


# The model's column type, as the PostgreSQL type of an array of keys.
_ARRAY_TYPES = {
    "int": "bigint",
    "integer": "bigint",
    "biginteger": "bigint",
    "smallinteger": "bigint",
    "bigint": "bigint",
    "str": "text",
    "string": "text",
    "text": "text",
    "unicode": "text",
    "unicodetext": "text",
    "uuid": "uuid",
    "uuid.uuid": "uuid",
}


def _array_type(ctx, facts: SqlFacts, key: KeyComparison) -> str | None:
    models = ctx.project.models
    model = models.by_table(facts.table) if models is not None else None
    if model is None:
        return None
    column = next((c for c in model.columns.values() if c.name == key.column), None)
    if column is None or not column.type:
        return None
    return _ARRAY_TYPES.get(column.type.rsplit(".", 1)[-1].lower())


def _type_gap(ctx, facts, key, key_expr, frame, ancestry) -> str | None:
    models = ctx.project.models
    model = models.by_table(facts.table) if models is not None else None
    column = None
    if model is not None:
        column = next((c for c in model.columns.values() if c.name == key.column), None)
    if column is None:
        return (
            f"`{facts.table}.{key.column}` is not in the model index, so the key's type "
            "is not shown to match the column's (SQL matches '1' to 1, a dict lookup "
            "does not)"
        )
    type_gap = key_type_gap(ctx, model, column, key_expr, frame, ancestry)
    if type_gap is None and is_string_type(column.type):
        # the rows are grouped by the key in Python
        return string_collation_gap(f"{facts.table}.{key.column}")
    return type_gap


def _operator_before(sql: str, start: int) -> int | None:
    """The offset of the `=` just before a placeholder (whitespace between), if it is a
    plain `=` (not `<=`, `>=`, `!=`)."""
    i = start - 1
    while i >= 0 and sql[i].isspace():
        i -= 1
    if i < 0 or sql[i] != "=" or (i > 0 and sql[i - 1] in "<>!="):
        return None
    return i


def _fetch_statement(raw, frame: Frame, ancestry):
    """(statement, fetch): `rows = <call>.all()` as a statement of the loop's own body
    (fetch None), or on a psycopg cursor `<call>` followed by `rows = cur.fetchall()`;
    (None, None) when the rows are read otherwise."""
    body = frame.node.body
    statements = list(getattr(body, "body", ()))
    if raw.api in PSYCOPGS:
        for statement, following in zip(statements, statements[1:]):
            if _is_bare(statement, raw.call) and _fetches_all(
                following, raw.call.func.value
            ):
                return statement, following
    return _fetched_at_once(raw, statements), None


def _is_bare(statement, call: cst.Call) -> bool:
    """`statement` is the call alone, its result unused."""
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and statement.body[0].value is call
    )


def _fetches_all(statement, cursor: cst.BaseExpression) -> bool:
    """`statement` is `name = <cursor>.fetchall()`."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    assign = statement.body[0]
    return (
        isinstance(assign, cst.Assign)
        and len(assign.targets) == 1
        and isinstance(assign.targets[0].target, cst.Name)
        and isinstance(assign.value, cst.Call)
        and not assign.value.args
        and isinstance(assign.value.func, cst.Attribute)
        and assign.value.func.attr.value == "fetchall"
        and assign.value.func.value.deep_equals(cursor)
    )


def _fetched_at_once(raw, statements) -> cst.SimpleStatementLine | None:
    for statement in statements:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        if len(statement.body) != 1 or not isinstance(statement.body[0], cst.Assign):
            continue
        assign = statement.body[0]
        value = assign.value
        if (
            raw.api == ASYNCPG
            and len(assign.targets) == 1
            and isinstance(assign.targets[0].target, cst.Name)
            and isinstance(value, cst.Await)
            and value.expression is raw.call
        ):
            return statement
        if (
            len(assign.targets) == 1
            and isinstance(assign.targets[0].target, cst.Name)
            and isinstance(value, cst.Call)
            and not value.args
            and isinstance(value.func, cst.Attribute)
            and value.func.attr.value in FETCH_ALL
            and value.func.value is raw.call
        ):
            return statement
    return None


def _body_verdict(ctx, raw, frame: Frame, statement) -> tuple[str | None, str | None]:
    """(blocking, weakening): what in the loop forbids or weakens the batch."""
    receiver = ctx.code(raw.call.func.value)
    verdict = inspect_body(
        frame.node.body,
        session_code=receiver,
        code_of=ctx.code,
        iterable=frame.node.iter,
        query_columns=set(),
        query=statement,
    )
    if verdict.blocking:
        return verdict.blocking, None
    drivers = file_drivers(ctx.imports, ctx.text)
    for node in walk(frame.node.body):
        if isinstance(node, cst.Call) and node is not raw.call:
            other = raw_sql_call(node, drivers)
            if other is None:
                continue
            facts = other.facts
            if isinstance(facts, Unreadable) or facts.kind != SELECT:
                return "the loop runs another SQL statement that may write", None
    return None, verdict.weakening


def _write_finding(rule, ctx, raw, facts: SqlFacts, frame, ancestry, drivers):
    message = _message(ctx, raw, facts, frame)
    plan, note = _write_plan(ctx, raw, facts, frame, ancestry, drivers)
    if plan is None:
        return rule.finding_at(ctx, raw.call, message, fix_note=note, loop=frame.node)
    return rule.finding_at(
        ctx,
        raw.call,
        message,
        Applicability.UNSAFE if note else Applicability.SAFE,
        fix_note=note,
        plan=plan,
        loop=frame.node,
    )


def _write_plan(
    ctx, raw, facts: SqlFacts, frame: Frame, ancestry, drivers: FileDrivers
):
    """(plan, note): the executemany plan (with a note when it is unsafe), or None and
    why there is no fix."""
    if facts.complications:
        return None, f"the statement has {', '.join(facts.complications)}"
    if raw.method not in ("execute", "exec_driver_sql"):
        return None, f"`{raw.method}` is not a single statement per call"
    if raw.params is None:
        return None, "its parameters are not written out in the call"
    if not frame.is_for or frame.node.orelse is not None:
        return None, "only a `for` statement (without `else`) is batched"
    if frame.node.asynchronous is not None:
        return None, "an `async for` is not batched"
    if raw.api == SQLALCHEMY or raw.method == "exec_driver_sql":
        why = _no_batching(ctx, drivers)
        if why:
            return None, why
    statement, awaited = _write_statement(raw, ancestry, frame)
    if statement is None:
        return None, "the write's result is used"
    receiver = raw.call.func.value
    receiver_code = ctx.code(receiver)
    if names_read(receiver) & frame.varying:
        return None, f"`{receiver_code}` changes per item"
    if (
        raw.method == "execute"
        and raw.api == PSYCOPG
        and not _is_cursor(ctx, receiver, ancestry)
    ):
        return None, "a psycopg 3 connection has no `executemany` (only its cursors)"
    scope = _function_of(ancestry)
    if scope is not None and _read_after(ctx, scope, frame.node, receiver_code, set()):
        return None, (
            f"`{receiver_code}.lastrowid` or `.rowcount` is read after the loop: an "
            "executemany sets them differently"
        )
    plan = WritePlan(raw, frame.node, statement, awaited, facts.table, facts.kind)
    if list(getattr(frame.node.body, "body", ())) == [statement]:
        values = _param_values(raw)
        if not all(_plain(value) for value in values):
            return (
                None,
                "a parameter calls code, which would run before the first write",
            )
        varying = frame.varying - frame.targets
        if any(names_read(value) & varying for value in values):
            return None, "a parameter reads a name the loop changes"
        loop_names = target_names(frame.node.target)
        if scope is not None and _read_after(ctx, scope, frame.node, "", loop_names):
            return None, "the loop variable is read after the loop"
        return plan, None
    plan.collect = True
    return _collect_verdict(ctx, raw, frame, ancestry, statement, plan)


def _no_batching(ctx, drivers: FileDrivers) -> str | None:
    """Why an executemany through SQLAlchemy would save nothing, if it would not: on
    psycopg 2 it runs one statement per row (unless the engine sets
    `executemany_mode="values_plus_batch"`)."""
    note = (
        "SQLAlchemy's executemany on psycopg 2 is still one statement per row (unless "
        'the engine sets executemany_mode="values_plus_batch")'
    )
    if drivers.url_driver == PSYCOPG2:
        return f"the engine URL names psycopg 2: {note}"
    if drivers.url_driver is None and ctx.note_fact(
        "declares_psycopg2", declares_psycopg2(ctx.project.root)
    ):
        return (
            "the project installs psycopg 2, SQLAlchemy's driver for a postgresql:// "
            f"URL: {note}"
        )
    return None


def _write_statement(raw, ancestry, frame: Frame):
    """The statement `<call>` or `await <call>` that holds the write, and whether it
    awaits it; (None, False) when the call's result is used."""
    position = next(i for i, node in enumerate(ancestry) if node is raw.call)
    parent = ancestry[position - 1]
    awaited = isinstance(parent, cst.Await)
    expr = parent if awaited else raw.call
    holder = ancestry[position - (2 if awaited else 1)]
    statement = ancestry[position - (3 if awaited else 2)]
    if (
        isinstance(holder, cst.Expr)
        and holder.value is expr
        and isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
    ):
        return statement, awaited
    return None, False


def _collect_verdict(ctx, raw, frame: Frame, ancestry, statement, plan):
    """The loop does more than the write: the rows are collected where it was, and the
    statement runs once after the loop. (plan, note) or (None, why not)."""
    at = next(i for i, node in enumerate(ancestry) if node is statement)
    for node in ancestry[frame.index + 1 : at]:
        if isinstance(node, (cst.Try, cst.TryStar, cst.With)):
            kind = "try" if not isinstance(node, cst.With) else "with"
            return None, (
                f"the write sits in a `{kind}` block in the loop: per-item error "
                "handling or a transaction per item would be lost"
            )
    exit_note = early_exit(frame.node.body)
    if exit_note:
        return None, exit_note
    receiver_code = ctx.code(raw.call.func.value)
    drivers = file_drivers(ctx.imports, ctx.text)
    other_calls = False
    for node in walk(frame.node.body):
        if (
            isinstance(node, cst.Attribute)
            and node.attr.value in ("lastrowid", "rowcount")
            and ctx.code(node.value) == receiver_code
        ):
            return None, f"the loop reads `{receiver_code}.{node.attr.value}`"
        if not isinstance(node, cst.Call) or node is raw.call:
            continue
        if raw_sql_call(node, drivers) is not None:
            return None, "the loop runs other SQL, which would run before the writes"
        other_calls = True
    verdict = inspect_body(
        frame.node.body,
        session_code=receiver_code,
        code_of=ctx.code,
        iterable=frame.node.iter,
        query_columns=set(),
        query=statement,
    )
    if verdict.blocking or verdict.weakening:
        return None, verdict.blocking or verdict.weakening
    if other_calls:
        return plan, (
            "other code of the loop may raise part-way: the original had written the "
            "earlier items by then, the batch writes none"
        )
    return plan, None


def _plain(expr: cst.BaseExpression) -> bool:
    """A value we may evaluate in a comprehension before the writes: no calls."""
    if is_pure_key(expr):
        return True
    if isinstance(expr, (cst.Integer, cst.Float, cst.SimpleString, cst.Name)):
        return True
    if isinstance(expr, (cst.Tuple, cst.List)):
        return all(_plain(e.value) for e in expr.elements)
    return False


def _is_cursor(ctx, receiver: cst.BaseExpression, ancestry) -> bool:
    """The receiver is a cursor: named so, or bound from `.cursor(...)`."""
    if not isinstance(receiver, cst.Name):
        return False
    if "cur" in receiver.value.lower():
        return True
    scope = _function_of(ancestry) or ctx.module
    for node in walk(scope):
        value = None
        if isinstance(node, cst.Assign) and any(
            isinstance(t.target, cst.Name) and t.target.value == receiver.value
            for t in node.targets
        ):
            value = node.value
        elif (
            isinstance(node, cst.WithItem)
            and node.asname is not None
            and isinstance(node.asname.name, cst.Name)
            and node.asname.name.value == receiver.value
        ):
            value = node.item
        if (
            isinstance(value, cst.Call)
            and isinstance(value.func, cst.Attribute)
            and value.func.attr.value == "cursor"
        ):
            return True
    return False


def _function_of(ancestry) -> cst.FunctionDef | None:
    return next((n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None)


def _read_after(
    ctx, scope: cst.FunctionDef, loop: cst.For, receiver: str, loop_names: set[str]
) -> bool:
    """Whether code after the loop in its function reads the cursor's `lastrowid` or
    `rowcount`, or one of `loop_names` (the batch leaves them otherwise)."""
    after = False
    for node in walk(scope.body):
        if node is loop:
            after = True
            continue
        if not after or any(node is n for n in walk(loop)):
            continue
        if (
            isinstance(node, cst.Attribute)
            and node.attr.value in ("lastrowid", "rowcount")
            and ctx.code(node.value) == receiver
        ):
            return True
        if isinstance(node, cst.Name) and node.value in loop_names:
            return True
    return False
