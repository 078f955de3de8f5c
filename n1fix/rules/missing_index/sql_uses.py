"""The columns one SQL string's WHERE, JOIN ... ON and ORDER BY use, read with sqlglot.

Each use is `{"table": "renders", "attr": "project_id", "kind": "eq"}` (kinds as in
`uses`); a column is given its table through the statement's aliases, or through the one
table the statement reads when it names none. A string sqlglot cannot read gives nothing.
"""

from __future__ import annotations

from n1fix.sql.placeholders import PlaceholderError, Style, tokenize

STYLES = frozenset(Style)


def sql_uses(sql: str) -> list[dict]:
    try:
        tokens = tokenize(sql, STYLES)
    except PlaceholderError:
        return []
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    from n1fix.sql.statements import quiet_sqlglot

    quiet_sqlglot()
    try:
        trees = [t for t in sqlglot.parse(tokens.neutral) if t]
    except (SqlglotError, ValueError, RecursionError):
        return []
    if len(trees) != 1 or isinstance(trees[0], exp.Command):
        return []
    tree = trees[0]
    tables = {}
    for table in tree.find_all(exp.Table):
        tables[table.alias_or_name] = table.name
    only = next(iter(set(tables.values()))) if len(set(tables.values())) == 1 else None

    def table_of(column) -> str | None:
        return tables.get(column.table) if column.table else only

    uses: list[dict] = []

    def add(column, kind: str, **extra) -> None:
        table = table_of(column)
        if table:
            uses.append({"table": table, "attr": column.name, "kind": kind, **extra})

    comparisons = (exp.EQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
    for node in tree.find_all(*comparisons, exp.In, exp.Is, exp.Between):
        column = node.this
        if not isinstance(column, exp.Column):
            continue
        if isinstance(node, exp.EQ) and isinstance(node.expression, exp.Column):
            add(column, "join")
            add(node.expression, "join")
        elif isinstance(node, exp.EQ | exp.In):
            add(column, "eq")
        elif isinstance(node, exp.Is):
            add(column, "null")
        else:
            add(column, "range")
    order = tree.args.get("order")
    for term in order.expressions if order else ():
        if isinstance(term, exp.Ordered) and isinstance(term.this, exp.Column):
            add(term.this, "order", desc=bool(term.args.get("desc")))
    return uses
