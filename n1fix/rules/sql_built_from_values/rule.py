"""## What it does
Finds SQL that a call sends after splicing Python values into it with an f-string:
`cursor.execute(f"... WHERE name = '{name}'")`, `session.execute(text(f"... WHERE id =
{user_id}"))`, for SQLAlchemy's `text()` and `exec_driver_sql`, sqlite3 and psycopg
cursors, and asyncpg. Only strings that splice at least one value are reported: one that
splices names alone (a table, a column, `SET ... TO {timeout}`, DDL) is not, as a
parameter cannot stand for a name and such names come from code far more often than
from users.

## Why is this bad?
A value with a quote in it breaks the statement, or changes what it does: SQL injection.
The database also sees a new statement text for every value, so it cannot reuse a plan
and its statement statistics split into as many entries as there are values.

## Example
```python
rows = session.execute(
    text(f"SELECT id, title FROM posts WHERE status = '{status}' ORDER BY id")
).all()
```

## Use instead
```python
rows = session.execute(
    text("SELECT id, title FROM posts WHERE status = :status ORDER BY id"),
    {"status": status},
).all()
```
Each value becomes a placeholder in the style the driver takes (`:name` for `text()`,
`?` for sqlite3, `%s` for psycopg, `$1` for asyncpg) and is passed as a parameter; a
quoted value loses its quotes. On psycopg, a `%` of the SQL is doubled (`%%`), as the
driver then reads the string for placeholders.

## Fix safety
A fix is offered for an f-string whose spliced parts are plain reads (names, attributes,
constant subscripts, without `!r` or a format spec) that each stand for one value: the
right side of a comparison with a column, an item of an `IN` list or of `VALUES`, a
LIMIT or OFFSET, or a whole quoted string. It is always unsafe: a parameter is typed by
the driver where the spliced text was read by SQL (a quoted `'5'` compared with an
integer column works, a string parameter may not; a number spliced unquoted is read as a
number, but a string spliced unquoted was SQL), and a value that held SQL on purpose
stops working. No fix when a spliced part names something (a table, a column, `ORDER BY
{column}`: parameters cannot stand for names; check the name against the ones allowed),
splices a joined list (`IN ({ids})`), sits inside a longer quoted string (`LIKE
'%{term}%'`), or when the call already passes parameters.

## Known problems
Only SQL built in the call itself is seen, not SQL built in a variable first, and only
f-strings: `%`-formatting, `.format()` and `+` are not split into their values yet.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from n1fix.cst.astwalk import nodes_of
from n1fix.rules.base import Finding, FixAvailability, Rule, Severity
from n1fix.rules.raw_sql_in_loop.rule import SQL_TEXT


def builds_string(node: ast.AST) -> bool:
    """A call whose first argument (or `text(...)`'s) builds a string from values."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    if not node.args:
        return False
    first = node.args[0]
    if isinstance(first, ast.Call) and first.args:
        name = getattr(first.func, "id", None) or getattr(first.func, "attr", None)
        if name == "text":
            first = first.args[0]
        elif name != "format":
            return False
    return isinstance(first, (ast.JoinedStr, ast.BinOp, ast.Call))


class SqlBuiltFromValues(Rule):
    __doc__ = __doc__
    NAME = "sql-built-from-values"
    MESSAGE = "SQL built from values: pass them as parameters"
    SEVERITY = Severity.HIGH
    FIX = FixAvailability.SOMETIMES

    def gate(self, tree: ast.Module, text: str) -> bool:
        if not SQL_TEXT.search(text):
            return False
        return any(builds_string(node) for node in nodes_of(tree, ast.Call))

    def check(self, ctx) -> Iterable[Finding]:
        from n1fix.rules.sql_built_from_values.analysis import find

        return find(ctx, self)
