"""Calls that send a SQL string to the database, and the string and parameters they send.

    session.execute(text("... :user_id"), {"user_id": user.id})      SQLAlchemy text()
    conn.exec_driver_sql("... %(user_id)s", {"user_id": user.id})    the driver's styles
    cursor.execute("... ?", (user.id,))  /  executemany(...)         sqlite3, psycopg
    await conn.fetch("... $1", user.id)  (fetchrow, fetchval, ...)   asyncpg

Only a string written in the call (or in `text(...)` in it) counts: a name bound to a
string elsewhere, an f-string or a `%`-formatted string is not read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import libcst as cst

from n1fix.sql.drivers import (
    ASYNCPG,
    DRIVERS,
    PSYCOPG,
    PSYCOPG2,
    SQLALCHEMY,
    SQLITE3,
    FileDrivers,
)
from n1fix.sql.placeholders import Style
from n1fix.sql.sending import (
    ASYNCPG_METHODS,
    DBAPI_METHODS,
    DRIVER_SQL,
    TEXT_RUNNERS,
)
from n1fix.sql.statements import SqlFacts, Unreadable, read_sql

SQLALCHEMY_STYLES = frozenset({Style.NAMED})


@dataclass(frozen=True)
class RawSqlCall:
    call: cst.Call  # the call that runs the SQL (`session.execute(...)`)
    method: str  # its method name (`execute`, `fetch`, ...)
    api: str  # SQLALCHEMY, SQLITE3, PSYCOPG or ASYNCPG
    string: cst.BaseString  # the string literal holding the SQL
    sql: str  # its value
    styles: frozenset[Style]
    dialect: str | None
    # The parameters sent with it: by name (`{"user_id": user.id}`), or by position (a
    # tuple, or asyncpg's extra arguments); None when they are not written out.
    params: dict[str, cst.BaseExpression] | list[cst.BaseExpression] | None
    params_node: cst.CSTNode | None  # the argument (or arguments) that carry them

    @cached_property
    def facts(self) -> SqlFacts | Unreadable:
        return read_sql(self.sql, self.styles, self.dialect)


def raw_sql_call(call: cst.Call, drivers: FileDrivers) -> RawSqlCall | None:
    """The SQL string `call` sends to the database, with its parameters, or None."""
    if not isinstance(call.func, cst.Attribute) or not call.args:
        return None
    method = call.func.attr.value
    first = call.args[0]
    if first.keyword is not None or first.star:
        return None
    rest = list(call.args[1:])
    text_arg = _text_argument(first.value)
    if text_arg is not None and method in TEXT_RUNNERS:
        params, node = _mapping_params(rest)
        return _made(
            call,
            method,
            SQLALCHEMY,
            text_arg,
            SQLALCHEMY_STYLES,
            drivers.text_dialect,
            params,
            node,
        )
    sql = string_value(first.value)
    if sql is None:
        return None
    if method == DRIVER_SQL:
        driver = DRIVERS.get(drivers.url_driver or "") or drivers.only(
            SQLITE3, PSYCOPG, PSYCOPG2
        )
        if driver is None:
            return None
        params, node = _driver_params(rest, driver.styles)
        return _made(
            call,
            method,
            driver.name,
            first.value,
            driver.styles,
            driver.dialect,
            params,
            node,
        )
    asyncpg = drivers.only(ASYNCPG, SQLITE3, PSYCOPG, PSYCOPG2)
    if asyncpg is not None and asyncpg.name == ASYNCPG and method in ASYNCPG_METHODS:
        if method == "executemany":
            params, node = _single(rest)
        else:
            params = [arg.value for arg in rest if not arg.keyword and not arg.star]
            node = rest[0] if rest else None
            if any(arg.star for arg in rest):
                params = None
        return _made(
            call,
            method,
            ASYNCPG,
            first.value,
            asyncpg.styles,
            asyncpg.dialect,
            params,
            node,
        )
    driver = drivers.only(SQLITE3, PSYCOPG, PSYCOPG2)
    if driver is not None and method in DBAPI_METHODS:
        params, node = _driver_params(rest, driver.styles)
        return _made(
            call,
            method,
            driver.name,
            first.value,
            driver.styles,
            driver.dialect,
            params,
            node,
        )
    return None


def _made(call, method, api, string, styles, dialect, params, node) -> RawSqlCall:
    value = string_value(string)
    assert value is not None
    return RawSqlCall(call, method, api, string, value, styles, dialect, params, node)


def _text_argument(expr: cst.BaseExpression) -> cst.BaseString | None:
    """The string in `text("...")` / `sa.text("...")`, if that is what `expr` is."""
    if not isinstance(expr, cst.Call) or len(expr.args) != 1:
        return None
    func = expr.func
    name = (
        func.attr.value
        if isinstance(func, cst.Attribute)
        else (func.value if isinstance(func, cst.Name) else None)
    )
    value = expr.args[0].value
    if name == "text" and string_value(value) is not None:
        return value
    return None


def string_value(expr: cst.BaseExpression) -> str | None:
    """The value of a plain string literal (implicitly concatenated parts included);
    None for f-strings, bytes and anything else."""
    if isinstance(expr, cst.SimpleString):
        if "b" in expr.prefix.lower():
            return None
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(expr, cst.ConcatenatedString):
        left, right = string_value(expr.left), string_value(expr.right)
        return None if left is None or right is None else left + right
    return None


def _single(args: list[cst.Arg]) -> tuple[None, cst.Arg | None]:
    return None, (args[0] if args else None)


def _mapping_params(args: list[cst.Arg]):
    """Parameters by name: a dict display or `dict(k=v)` as the one further argument."""
    if not args:
        return {}, None
    arg = args[0]
    if arg.keyword is not None and arg.keyword.value not in ("params", "parameters"):
        return None, arg
    return _named(arg.value), arg


def _named(value: cst.BaseExpression) -> dict[str, cst.BaseExpression] | None:
    if isinstance(value, cst.Dict):
        found = {}
        for element in value.elements:
            if not isinstance(element, cst.DictElement):
                return None
            key = string_value(element.key)
            if key is None:
                return None
            found[key] = element.value
        return found
    if (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value == "dict"
        and all(arg.keyword is not None for arg in value.args)
    ):
        return {arg.keyword.value: arg.value for arg in value.args}
    return None


def _driver_params(args: list[cst.Arg], styles: frozenset[Style]):
    """A DB-API call's parameters: a mapping for named styles, a sequence for the rest
    (which one the string uses decides; both are read and the caller matches them)."""
    if not args:
        return {}, None
    arg = args[0]
    if arg.keyword is not None:
        return None, arg
    named = _named(arg.value)
    if named is not None:
        return named, arg
    if isinstance(arg.value, (cst.Tuple, cst.List)):
        elements = arg.value.elements
        if any(isinstance(e, cst.StarredElement) for e in elements):
            return None, arg
        return [e.value for e in elements], arg
    return None, arg
