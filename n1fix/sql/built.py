"""SQL built from values: an f-string, `%`-formatting, `.format()` or `+` that splices
Python values into the SQL a call sends, and where each spliced value lands in the
statement (a value, a quoted value, or a name such as a table or a column).

    cursor.execute(f"SELECT * FROM users WHERE name = '{name}'")      a quoted value
    session.execute(text(f"SELECT * FROM {table} WHERE id = {id}"))   a name, a value

Each spliced part is replaced by a sentinel word, the rest tokenised as usual, and
sqlglot says where each sentinel landed. f-strings, `%`-formatting and `.format()` are
split into their parts (n1fix.sql.formats); `+` is recognised, not placed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from n1fix.sql.calls import SQLALCHEMY_STYLES, string_value
from n1fix.sql.drivers import (
    ASYNCPG,
    DRIVERS,
    PSYCOPG,
    PSYCOPG2,
    SQLALCHEMY,
    SQLITE3,
    FileDrivers,
)
from n1fix.sql.formats import FORMAT, PERCENT, Hole, Piece, split
from n1fix.sql.placeholders import PlaceholderError, Style, tokenize
from n1fix.sql.sending import ASYNCPG_METHODS as ASYNCPG_SENDERS
from n1fix.sql.sending import DBAPI_METHODS, DRIVER_SQL, TEXT_RUNNERS
from n1fix.sql.statements import quiet_sqlglot

VALUE, QUOTED, NAME, UNKNOWN = "value", "quoted value", "name", "unknown"
IN_STRING = "inside a quoted string"  # `LIKE '%{term}%'`: part of a longer string
# The value a local variable holds, when one assignment gives it (see the rule).
Resolve = Callable[[cst.Name], cst.BaseExpression | None]
# the asyncpg methods read here: not `executemany`, which raw-sql-in-loop reads too
ASYNCPG_METHODS = ASYNCPG_SENDERS - {"executemany"}


@dataclass(frozen=True)
class Splice:
    hole: Hole
    place: str  # VALUE, QUOTED, IN_STRING, NAME or UNKNOWN

    @property
    def expression(self) -> cst.BaseExpression:
        return self.hole.expression


@dataclass(frozen=True)
class BuiltSql:
    call: cst.Call  # the call that sends it
    method: str  # its method name (`execute`, `exec_driver_sql`, `fetch`, ...)
    api: str | None  # None: exec_driver_sql on a driver the file does not show
    styles: frozenset[Style]
    dialect: str | None
    built: cst.BaseExpression  # the f-string (or formatting expression) itself
    form: str  # "f-string", "%-formatting", ".format()", "concatenation"
    in_text: cst.Call | None  # the `text(...)` call around it, for SQLAlchemy
    # The string literals and the values they splice; None for a concatenation.
    pieces: tuple[Piece, ...] | None
    has_params: bool  # the call already passes parameters
    # Whether the driver reads placeholders (and `%%`) in the string as it is sent: a
    # DB-API or asyncpg call without parameters sends its string untouched.
    reads_placeholders: bool
    # The local variable the call reads the SQL from (`sql = f"..."; execute(sql)`),
    # `built` being its one assignment's value; None when it is built in the call.
    through: cst.Name | None = None


def built_sql_call(
    call: cst.Call, drivers: FileDrivers, resolve: Resolve | None = None
) -> BuiltSql | None:
    """The SQL `call` sends, when it is built from values in the call itself, or in
    the variable it reads when `resolve` gives that variable's value."""
    if not isinstance(call.func, cst.Attribute) or not call.args:
        return None
    first = call.args[0]
    if first.keyword is not None or first.star:
        return None
    method = call.func.attr.value
    has_params = len(call.args) > 1
    value = first.value
    if (
        isinstance(value, cst.Call)
        and len(value.args) == 1
        and _called_name(value) == "text"
        and method in TEXT_RUNNERS
    ):
        sql, through = _through(value.args[0].value, resolve)
        found = _form(sql)
        if found is None:
            return None
        form, pieces = found
        return BuiltSql(
            call,
            method,
            SQLALCHEMY,
            SQLALCHEMY_STYLES,
            drivers.text_dialect,
            sql,
            form,
            value,
            pieces,
            has_params,
            reads_placeholders=True,
            through=through,
        )
    value, through = _through(value, resolve)
    found = _form(value)
    if found is None:
        return None
    form, pieces = found
    if method == DRIVER_SQL:
        driver = DRIVERS.get(drivers.url_driver or "") or drivers.only(
            SQLITE3, PSYCOPG, PSYCOPG2
        )
        if driver is None:  # reported, but its placeholder style is not known
            return BuiltSql(
                call,
                method,
                None,
                frozenset(),
                None,
                value,
                form,
                None,
                pieces,
                has_params,
                reads_placeholders=True,
                through=through,
            )
        # SQLAlchemy passes the driver empty parameters when there are none
        reads = True
    elif (
        method in ASYNCPG_METHODS
        and drivers.only(ASYNCPG, SQLITE3, PSYCOPG, PSYCOPG2) is DRIVERS[ASYNCPG]
    ):
        driver, reads = DRIVERS[ASYNCPG], has_params
    elif method in DBAPI_METHODS:
        driver, reads = drivers.only(SQLITE3, PSYCOPG, PSYCOPG2), has_params
    else:
        driver = None
    if driver is None:
        return None
    return BuiltSql(
        call,
        method,
        driver.name,
        driver.styles,
        driver.dialect,
        value,
        form,
        None,
        pieces,
        has_params,
        reads,
        through,
    )


def _through(
    expr: cst.BaseExpression, resolve: Resolve | None
) -> tuple[cst.BaseExpression, cst.Name | None]:
    """The expression that builds the SQL: `expr`, or the value of the variable it is."""
    if isinstance(expr, cst.Name) and resolve is not None:
        value = resolve(expr)
        if value is not None:
            return value, expr
    return expr, None


def _called_name(call: cst.Call) -> str | None:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else None


def _form(expr: cst.BaseExpression) -> tuple[str, tuple[Piece, ...] | None] | None:
    """How `expr` builds a string from values, and its pieces where n1fix reads them;
    None if it builds none (a plain literal, an f-string without a spliced value, a
    name)."""
    found = split(expr)
    if found is not None:
        return found
    if isinstance(expr, cst.BinaryOperation):
        if (
            isinstance(expr.operator, cst.Modulo)
            and string_value(expr.left) is not None
        ):
            return PERCENT, None
        if isinstance(expr.operator, cst.Add) and _has_literal(expr):
            return "concatenation", None
        return None
    if (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value == "format"
        and string_value(expr.func.value) is not None
        and expr.args
    ):
        return FORMAT, None
    return None


def _has_literal(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        return _has_literal(expr.left) or _has_literal(expr.right)
    return string_value(expr) is not None


def sentinel(index: int) -> str:
    return f"n1fixsplice{index}x"


def splices(built: BuiltSql) -> list[Splice] | None:
    """Where each spliced value lands; None when the statement cannot be read (then
    nothing is rewritten)."""
    if built.pieces is None:
        return None
    text_parts: list[str] = []
    found: list[Hole] = []
    for piece in built.pieces:
        for part in piece.parts:
            if isinstance(part, str):
                text_parts.append(part)
            else:
                text_parts.append(sentinel(len(found)))
                found.append(part)
    template = "".join(text_parts)
    styles = built.styles if built.reads_placeholders else frozenset()
    try:
        tokens = tokenize(template, styles)
    except PlaceholderError:
        return None
    import sqlglot
    from sqlglot import exp

    quiet_sqlglot()
    from sqlglot.errors import SqlglotError

    try:
        trees = [t for t in sqlglot.parse(tokens.neutral, read=built.dialect) if t]
    except (SqlglotError, ValueError, RecursionError):
        return None
    if len(trees) != 1 or isinstance(trees[0], (exp.Command, exp.Set)):
        # a setting (`SET LOCAL lock_timeout = '{n}s'`) comes from code, not users; and
        # a statement sqlglot only keeps as text (ALTER SEQUENCE...) is not read
        return None
    places = {sentinel(i): UNKNOWN for i in range(len(found))}
    for node in trees[0].walk():
        _place(node, places, exp)
    return [Splice(hole, places[sentinel(i)]) for i, hole in enumerate(found)]


_COMPARISONS = ("EQ", "NEQ", "GT", "GTE", "LT", "LTE", "Like", "ILike")


def _place(node, places: dict[str, str], exp) -> None:
    if isinstance(node, exp.Literal) and node.is_string:
        for mark in places:
            if mark in node.this:
                places[mark] = QUOTED if node.this == mark else IN_STRING
        return
    if isinstance(node, exp.Identifier) and node.this in places:
        mark = node.this
        column = node.parent
        if places[mark] != UNKNOWN:
            places[mark] = UNKNOWN  # spliced twice: not rewritten
            return
        places[mark] = NAME
        if not isinstance(column, exp.Column) or column.args.get("table"):
            return
        parent = column.parent
        comparisons = tuple(getattr(exp, name) for name in _COMPARISONS)
        if isinstance(parent, comparisons):
            other = parent.expression if parent.this is column else parent.this
            # `col = {x}`: a value; `{x} = 5` names a column as often as not
            if isinstance(other, exp.Column) and parent.expression is column:
                places[mark] = VALUE
        elif isinstance(parent, exp.In) and column is not parent.this:
            if len(parent.expressions) > 1:  # `IN ({ids})` splices a joined list
                places[mark] = VALUE
        elif isinstance(parent, exp.Tuple) and isinstance(parent.parent, exp.Values):
            if len(parent.expressions) > 1:  # `VALUES ({values})` splices a joined list
                places[mark] = VALUE
        elif isinstance(parent, (exp.Limit, exp.Offset)):
            places[mark] = VALUE
