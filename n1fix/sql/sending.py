"""The calls n1fix reads SQL from, by their method names, and the argument that holds
the SQL, read with `ast` for the gates of raw-sql-in-loop and sql-built-from-values.

`calls.raw_sql_call` and `built.built_sql_call` read a statement only from a method call
`x.m(first, ...)` whose first argument is positional: `text(...)` in it when `m` runs a
SQLAlchemy statement (`TEXT_RUNNERS`), else the argument itself when `m` hands a string
to a driver (`STRING_SENDERS`). They take these names from here, so a gate that asks
`sent_sql` can never turn away a call they read. No LibCST here: the gates run on every
file.
"""

from __future__ import annotations

import ast

TEXT_RUNNERS = frozenset({"execute", "scalars", "scalar"})
DRIVER_SQL = "exec_driver_sql"
DBAPI_METHODS = frozenset({"execute", "executemany"})
ASYNCPG_METHODS = frozenset({"fetch", "fetchrow", "fetchval", "execute", "executemany"})
STRING_SENDERS = frozenset({DRIVER_SQL, *DBAPI_METHODS, *ASYNCPG_METHODS})


def sent_sql(call: ast.Call) -> ast.expr | None:
    """What `call` may send as SQL: the one argument of `text(...)` for a statement
    runner, else the first argument of a method that hands a string to a driver; None
    for any other call. (LibCST's first argument is positional and not starred exactly
    when `ast`'s `args[0]` is one and not `Starred`: keywords come after positionals.)"""
    if not (isinstance(call.func, ast.Attribute) and call.args):
        return None
    first = call.args[0]
    if isinstance(first, ast.Starred):
        return None
    method = call.func.attr
    if method in TEXT_RUNNERS and _calls_text(first):
        # LibCST counts keyword and starred arguments among `text(...)`'s arguments
        arguments = [*first.args, *(keyword.value for keyword in first.keywords)]
        if len(arguments) == 1:
            inner = arguments[0]
            return inner.value if isinstance(inner, ast.Starred) else inner
    return first if method in STRING_SENDERS else None


def _calls_text(expr: ast.expr) -> bool:
    """`text(...)` or `sa.text(...)`, as `calls._text_argument` and
    `built._called_name` name the call."""
    if not isinstance(expr, ast.Call):
        return False
    func = expr.func
    return (isinstance(func, ast.Name) and func.id == "text") or (
        isinstance(func, ast.Attribute) and func.attr == "text"
    )


def is_plain_string(expr: ast.expr | None) -> bool:
    """A string literal without a spliced value (implicitly concatenated parts
    included), what `calls.string_value` reads; not bytes, not an f-string."""
    return isinstance(expr, ast.Constant) and isinstance(expr.value, str)
