"""## What it does
Finds SQL written as a string that runs once per item of a loop: a `SELECT ... WHERE col
= <placeholder>` whose parameter is a key of the item, or an `INSERT`, `UPDATE` or
`DELETE` whose parameters come from the item. It reads the SQL sent through SQLAlchemy's
`text()` (`session.execute(text(...), params)`), `exec_driver_sql`, DB-API cursors
(`cursor.execute` of sqlite3 and psycopg 2 and 3) and asyncpg (`fetch`, `fetchrow`,
`fetchval`, `execute`), in the placeholder style the code uses (`:name`, `%(name)s`,
`%s`, `?`, `$1`).

## Why is this bad?
Each item costs a round trip to the database: 1 + N statements where one would do, each
paying latency, parsing and planning. A query written as a string is the same N+1 as one
built with the ORM, only harder to see.

## Example
```python
for user in users:
    posts = conn.execute(
        text("SELECT id, title, user_id FROM posts WHERE user_id = :user_id ORDER BY id"),
        {"user_id": user.id},
    ).all()
for row in rows:
    cursor.execute("INSERT INTO tags (post_id, name) VALUES (?, ?)", (row.post_id, row.name))
```

## Use instead
```python
user_ids = [user.id for user in users]
posts_by_user_id = defaultdict(list)
if user_ids:
    for row in conn.execute(
        text(
            "SELECT id, title, user_id FROM posts WHERE user_id IN :user_id ORDER BY id"
        ).bindparams(bindparam("user_id", expanding=True)),
        {"user_id": user_ids},
    ):
        posts_by_user_id[row.user_id].append(row)
for user in users:
    posts = posts_by_user_id.get(user.id, [])
tag_rows = [(row.post_id, row.name) for row in rows]
if tag_rows:
    cursor.executemany("INSERT INTO tags (post_id, name) VALUES (?, ?)", tag_rows)
```
A per-item SELECT through `text()` becomes one query with an expanding `IN`, its rows
grouped by the key column (which the query must select), in the query's order; an
asyncpg `fetch` becomes one fetch with `= ANY($1::bigint[])` (the array's type from the
column's type in the model index: no fix when it is unknown) and the keys as a list; a
psycopg (2 or 3) cursor's `execute` of `= %s` becomes one `execute` with `= ANY(%s)` and
the keys as a list (psycopg sends a list as an array), its rows grouped by the key
column's position in the selected columns; a
per-item INSERT, UPDATE or DELETE becomes one `executemany` of the same statement
(`psycopg2.extras.execute_batch` on psycopg 2, whose `executemany` is a loop; asyncpg's
`executemany`), the rows in loop order.

## Fix safety
The SQL must be read (a string n1fix cannot parse is left alone). A SELECT is batched
when it reads one table with no join, aggregate, GROUP BY, DISTINCT, subquery or LIMIT;
its other parameters are the same for every item; the key column is among the selected
columns (adding it would change the rows' shape: no fix); the result is read with
`.all()` or `.fetchall()` straight away (on a psycopg cursor, `rows = cur.fetchall()` as
the statement after the `execute`); the loop runs the query for every item (no
`break`, `return`, or `if` around it) and does not write or commit. The fix is safe when
the table's model is in the project's model index and the key has the column's type (SQL
matches `'1'` to `1`, a dict lookup does not) and is not a string column (SQL compares
strings under the column's collation, which may ignore case; the grouping does not);
otherwise it is unsafe. A psycopg batch is unsafe: its rows are grouped
by `row[i]`, which reads psycopg's default tuple rows, and the cursor's row factory is set
where the cursor or its connection was made (a dict row factory would need `row["col"]`).
A `None` key
matches nothing either way (`= NULL` and `IN (NULL)` are both not true).
A write is batched when the loop holds nothing but that statement (a loop that reads
`lastrowid`, `rowcount` or a result, or catches errors per item, gets no fix), its
parameters are plain expressions of the item (no call that would now run before the
first write), the cursor's `lastrowid` and `rowcount` and the loop variable are not read
after the loop, and the receiver has an `executemany` (a psycopg 3 connection has not).
The database still runs the statement once per row, in loop order, so triggers, a
repeated key and a key that matches nothing behave as before.

## Known problems
Through SQLAlchemy on psycopg 2 (the driver of a plain `postgresql://` URL), an
executemany of a `text()` statement is still one statement per row unless the engine is
created with `executemany_mode="values_plus_batch"`, so no fix is offered when the file's
engine URL names psycopg 2 or the project installs it (its pyproject, setup files or
requirements) and the URL does not say otherwise; psycopg 3, asyncpg, SQLite and a
DB-API cursor with `execute_batch` do batch. Only a string written in the call (or in `text(...)` in it) is read. Items with equal
keys share one list of rows. The keys are sent as one `IN` list: SQLite accepts up to
32,766 parameters and PostgreSQL 65,535 per statement; past that, chunk the keys.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from n1fix.cst.astwalk import any_in_loop
from n1fix.cst.text_scan import calls_word, mentions_any
from n1fix.rules.base import Finding, FixAvailability, Rule, Severity
from n1fix.sql.sending import is_plain_string, sent_sql

_SQL_WORDS = ("exec_driver_sql", "sqlite3", "psycopg", "asyncpg")


def mentions_sql(text: str) -> bool:
    """A file sends SQL strings only if it calls `text(...)` or names one of these."""
    return mentions_any(text, _SQL_WORDS) or calls_word(text, "text")


def sends_string(node: ast.AST) -> bool:
    """A call that may send a SQL string `raw_sql_call` reads: `text("...")` to a
    statement runner, or a plain string to a method that hands it to a driver (the
    method names and the argument as `sending.sent_sql` reads them; `raw_sql_call` reads
    no f-string, `%`-formatting or name, so neither does this)."""
    if not isinstance(node, ast.Call):
        return False
    return is_plain_string(sent_sql(node))


def gate(tree: ast.Module, text: str) -> bool:
    """Is there a loop with a call that sends a string?"""
    if not mentions_sql(text):
        return False
    return any_in_loop(tree, sends_string, types=(ast.Call,))


class RawSqlInLoop(Rule):
    __doc__ = __doc__
    NAME = "raw-sql-in-loop"
    MESSAGE = "SQL string runs once per item of a loop"
    SEVERITY = Severity.HIGH
    FIX = FixAvailability.SOMETIMES
    ROUND_TRIPS = ("1 + N", "2")

    def gate(self, tree: ast.Module, text: str) -> bool:
        return gate(tree, text)

    def check(self, ctx) -> Iterable[Finding]:
        from n1fix.rules.raw_sql_in_loop.analysis import find

        return find(ctx, self)
