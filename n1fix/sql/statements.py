"""What one SQL statement does, read with sqlglot: its kind, table, the columns it
compares with a placeholder by `=`, the columns it selects, its ORDER BY and LIMIT.

sqlglot is imported here, inside `read_sql`, so that a run over files without SQL
strings never pays for it. A string sqlglot cannot parse, or that holds more than one
statement, is `Unreadable` with the reason: it is left alone, never guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass

from n1fix.sql.placeholders import (
    Placeholder,
    PlaceholderError,
    Style,
    Tokenized,
    tokenize,
)

SELECT, INSERT, UPDATE, DELETE, OTHER = "select", "insert", "update", "delete", "other"


@dataclass(frozen=True)
class KeyComparison:
    """`column = <placeholder>` as one conjunct of the WHERE (ANDed with the rest)."""

    column: str  # the column's name, without its table or alias
    placeholder: Placeholder


@dataclass(frozen=True)
class SqlFacts:
    tokens: Tokenized
    kind: str  # SELECT, INSERT, UPDATE, DELETE or OTHER
    table: str | None  # the one table read or written (None: a join, a subquery...)
    keys: tuple[KeyComparison, ...]  # WHERE's `col = placeholder` conjuncts
    # Selected output names (a column's name, or its alias); None for `*` or an
    # expression without a name, so "is the key column selected" is not guessed.
    selected: tuple[str, ...] | None
    order_by: tuple[str, ...]  # ORDER BY terms, as written by sqlglot
    limit: str | None  # LIMIT's value as written (a number or a marker), None without
    # Anything else that changes how rows come back: GROUP BY, DISTINCT, aggregates,
    # window functions, joins, set operations, subqueries, RETURNING.
    complications: tuple[str, ...]
    # INSERT's column list; UPDATE's SET column names
    written_columns: tuple[str, ...] = ()

    @property
    def placeholders(self) -> tuple[Placeholder, ...]:
        return self.tokens.placeholders


@dataclass(frozen=True)
class Unreadable:
    reason: str


def read_sql(
    sql: str, styles: frozenset[Style], dialect: str | None
) -> SqlFacts | Unreadable:
    """The facts of one statement, or why it cannot be read."""
    try:
        tokens = tokenize(sql, styles)
    except PlaceholderError as error:
        return Unreadable(str(error))
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    quiet_sqlglot()

    try:
        trees = [t for t in sqlglot.parse(tokens.neutral, read=dialect) if t]
    except SqlglotError as error:
        return Unreadable(f"sqlglot cannot parse it: {str(error).splitlines()[0]}")
    except (ValueError, RecursionError) as error:  # sqlglot's tokenizer on odd input
        return Unreadable(f"sqlglot cannot parse it: {error}")
    if len(trees) != 1:
        return Unreadable(f"{len(trees)} statements in one string")
    if isinstance(trees[0], exp.Command):
        return Unreadable("sqlglot keeps it only as text (a command it does not parse)")
    return _facts(tokens, trees[0], exp)


def quiet_sqlglot() -> None:
    """sqlglot warns on stderr when it falls back to keeping a statement as text; such a
    statement is Unreadable here, and the warning would only clutter n1fix's output."""
    import logging

    logging.getLogger("sqlglot").setLevel(logging.ERROR)


def _facts(tokens: Tokenized, tree, exp) -> SqlFacts | Unreadable:
    kinds = {exp.Select: SELECT, exp.Insert: INSERT, exp.Update: UPDATE}
    kind = next((k for cls, k in kinds.items() if type(tree) is cls), None)
    if kind is None:
        kind = DELETE if isinstance(tree, exp.Delete) else OTHER
    complications = _complications(tree, exp)
    table = _table(tree, exp)
    where = tree.args.get("where")
    keys = _keys(where.this, tokens, exp) if where is not None else ()
    selected = _selected(tree, exp) if kind == SELECT else None
    order = tree.args.get("order")
    order_by = tuple(term.sql() for term in order.expressions) if order else ()
    limit = tree.args.get("limit")
    limit_text = limit.expression.sql() if limit is not None else None
    written: tuple[str, ...] = ()
    if kind == INSERT and isinstance(tree.this, exp.Schema):
        written = tuple(i.name for i in tree.this.expressions)
    elif kind == UPDATE:
        written = tuple(e.this.name for e in tree.expressions if isinstance(e, exp.EQ))
    return SqlFacts(
        tokens,
        kind,
        table,
        keys,
        selected,
        order_by,
        limit_text,
        complications,
        written,
    )


def _table(tree, exp) -> str | None:
    target = tree.this if not hasattr(tree, "selects") else None
    if isinstance(tree, exp.Select):
        source = tree.args.get("from") or tree.args.get("from_")
        target = source.this if source is not None else None
    elif isinstance(tree, exp.Insert) and isinstance(tree.this, exp.Schema):
        target = tree.this.this
    elif isinstance(tree, exp.Delete):
        target = tree.this
    return target.name if isinstance(target, exp.Table) else None


def _complications(tree, exp) -> tuple[str, ...]:
    found = []
    if tree.args.get("joins"):
        found.append("a join")
    if tree.args.get("group"):
        found.append("GROUP BY")
    if tree.args.get("distinct"):
        found.append("DISTINCT")
    if tree.args.get("returning"):
        found.append("RETURNING")
    if tree.args.get("with") or tree.args.get("with_"):
        found.append("a WITH clause")
    if isinstance(tree, exp.Union | exp.Except | exp.Intersect):
        found.append("a set operation")
    if any(True for _ in tree.find_all(exp.AggFunc)):
        found.append("an aggregate")
    if any(True for _ in tree.find_all(exp.Window)):
        found.append("a window function")
    if any(sub is not tree for sub in tree.find_all(exp.Select)):
        found.append("a subquery")
    return tuple(found)


def _keys(condition, tokens: Tokenized, exp) -> tuple[KeyComparison, ...]:
    """The top-level conjuncts of `condition` of the form `column = placeholder`."""
    found = []
    for term in _conjuncts(condition, exp):
        if not isinstance(term, exp.EQ):
            continue
        column, value = term.this, term.expression
        if isinstance(value, exp.Column) and isinstance(column, exp.Placeholder):
            column, value = value, column
        if isinstance(column, exp.Column) and isinstance(value, exp.Placeholder):
            placeholder = tokens.by_marker(value.name)
            if placeholder is not None:
                found.append(KeyComparison(column.name, placeholder))
    return tuple(found)


def _conjuncts(condition, exp):
    while isinstance(condition, exp.Paren):
        condition = condition.this
    if isinstance(condition, exp.And):
        yield from _conjuncts(condition.this, exp)
        yield from _conjuncts(condition.expression, exp)
    else:
        yield condition


def _selected(tree, exp) -> tuple[str, ...] | None:
    names = []
    for column in tree.expressions:
        if isinstance(column, exp.Star) or (
            isinstance(column, exp.Column) and isinstance(column.this, exp.Star)
        ):
            return None
        name = column.alias_or_name
        if not name:
            return None
        names.append(name)
    return tuple(names)
