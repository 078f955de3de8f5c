"""## What it does
Finds SQL that a call sends after splicing Python values into it with an f-string,
`%`-formatting or `.format()`: `cursor.execute(f"... WHERE name = '{name}'")`,
`cursor.execute("... WHERE id = %d" % user_id)`, `session.execute(text("... = '{}'"
.format(status)))`, for SQLAlchemy's `text()` and `exec_driver_sql`, sqlite3 and psycopg
cursors, and asyncpg, the SQL written in the call or in a local variable the function
assigns once and reads only in that call (`sql = f"..."` then `cursor.execute(sql)`).
Only strings that splice at least one value are reported: one that splices names alone
(a table, a column, DDL) is not, nor a `SET` of a setting, as a parameter cannot stand
for a name and such names and settings come from code far more often than from users.
Nor is a spliced literal or a choice between literals (`'true' if unique else 'false'`):
the code picks that text. A string with `%s` placeholders passed with its parameters is the right form, and never
reported.

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
`?` for sqlite3, `%s` for psycopg 2 and 3, `$1` for asyncpg) and is passed as a
parameter (a tuple; asyncpg's own calls take the values as further arguments); a quoted
value loses its quotes. On psycopg, a `%` that the call sent as it is (a DB-API call
without parameters sends its string untouched) is doubled (`%%`), as the driver then
reads the string for placeholders. `exec_driver_sql` hands the string to the driver, so
it takes the driver's style, from the engine URL the file spells out (or the one driver
it imports); with neither, the style is unknown and there is no fix.

## Fix safety
A fix is offered when every spliced part is a plain read (names, attributes, constant
subscripts; `{x}`, `%s`, `%d` or `%i`, without `!r`, a width or another format) that
stands for one value: the right side of a comparison with a column, an item of an `IN`
list or of `VALUES`, a LIMIT or OFFSET, or a whole quoted string. It is always unsafe: a
parameter is typed by the driver where the spliced text was read by SQL (a quoted `'5'`
compared with an integer column works, a string parameter may not; a number spliced
unquoted is read as a number, but a string spliced unquoted was SQL; `%d` dropped a
float's fraction, a parameter keeps it), and a value that held SQL on purpose stops
working. No fix when a spliced part names something (a table, a column, `ORDER BY
{column}`: parameters cannot stand for names; check the name against the ones allowed),
splices a joined list (`IN ({ids})`), sits inside a longer quoted string (`LIKE
'%{term}%'`: the parameter is the whole pattern), reads its values from a tuple or
mapping not written out (`"..." % args`), when the call already passes parameters, or
when SQL built in a variable is not assigned in the statement just above the call (a
value could change in between, and a parameter reads it at the call).

## Known problems
`+` concatenation is recognised but not split into its values, and SQL built in a
variable that is read again (logged, say) or assigned more than once is not followed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from n1fix.cst.astwalk import nodes_of
from n1fix.rules.base import Finding, FixAvailability, Rule, Severity
from n1fix.rules.raw_sql_in_loop.rule import mentions_sql
from n1fix.sql.drivers import ASYNCPG, PSYCOPG, PSYCOPG2, SQLITE3
from n1fix.sql.sending import DRIVER_SQL, is_plain_string, sent_sql


def sends_built_sql(tree: ast.Module) -> bool:
    """Does a call send SQL that `built_sql_call` may read as built from values, in a
    form `formats.split` reads (`splices` places nothing else: a `+` concatenation, or a
    call other than `"...".format(...)`, is never a finding): an f-string with a spliced
    value, a string literal `%` values, or `"...".format(...)` with arguments, as the
    SQL it sends (`sending.sent_sql`), or a name that the file assigns such a string
    (`single_assignment` follows only a plain `name = ...`)? A string handed to a
    driver's `execute` / `fetch`... other than `exec_driver_sql` is read only when the
    file imports a driver (`drivers.file_drivers`: `only(...)` finds none otherwise)."""
    built_names: set[str] | None = None
    drivers: bool | None = None
    for call in nodes_of(tree, ast.Call):
        sent = sent_sql(call)
        if sent is None:
            continue
        if sent is call.args[0] and call.func.attr != DRIVER_SQL:
            # not `text(...)`'s argument: a string a driver's method sends
            if drivers is None:
                drivers = may_import_a_driver(tree)
            if not drivers:
                continue
        if builds_string(sent):
            return True
        if isinstance(sent, ast.Name):
            if built_names is None:
                built_names = {
                    target.id
                    for node in nodes_of(tree, ast.Assign)
                    if assigns_built_string(node)
                    for target in node.targets
                    if isinstance(target, ast.Name)
                }
            if sent.id in built_names:
                return True
    return False


def assigns_built_string(node: ast.AST) -> bool:
    """`name = f"..."`, `name = "..." % ...` or `name = "...".format(...)`: a string
    built from values in a variable a call may send."""
    return isinstance(node, ast.Assign) and builds_string(node.value)


def builds_string(value: ast.expr) -> bool:
    """An f-string with a spliced value, a string literal `%` values, or
    `"...".format(...)` with arguments: what `formats.split` may split into pieces."""
    if isinstance(value, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in value.values)
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mod):
        return is_plain_string(value.left)
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "format"
        and is_plain_string(value.func.value)
        and bool(value.args or value.keywords)
    )


def may_import_a_driver(tree: ast.Module) -> bool:
    """Whether `import_map` may name sqlite3, psycopg, psycopg2 or asyncpg: an import
    of one, or any relative import (inside such a package it resolves to it)."""
    for node in nodes_of(tree, ast.Import, ast.ImportFrom):
        if isinstance(node, ast.ImportFrom):
            if node.level or (node.module or "").split(".")[0] in _DRIVER_MODULES:
                return True
        elif any(alias.name.split(".")[0] in _DRIVER_MODULES for alias in node.names):
            return True
    return False


_DRIVER_MODULES = frozenset({SQLITE3, PSYCOPG, PSYCOPG2, ASYNCPG})


class SqlBuiltFromValues(Rule):
    __doc__ = __doc__
    NAME = "sql-built-from-values"
    MESSAGE = "SQL built from values: pass them as parameters"
    SEVERITY = Severity.HIGH
    FIX = FixAvailability.SOMETIMES

    def gate(self, tree: ast.Module, text: str) -> bool:
        if not mentions_sql(text):
            return False
        return sends_built_sql(tree)

    def check(self, ctx) -> Iterable[Finding]:
        from n1fix.rules.sql_built_from_values.analysis import find

        return find(ctx, self)
