"""The analysis behind `filter-in-python`: comprehensions that keep some of a query's rows
by tests on their own columns, and the WHERE conditions that say the same in SQL.

Each test (an `if` of the comprehension, or an operand of its `and`) becomes one
`Condition`: the SQL expression as code, whether it needs `or_`, and why it is unsafe if it
is. A test that reads anything but the row's own mapped columns, literals and names makes
the comprehension no finding at all: it is not (only) a filter on columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import libcst as cst

from n1fix.analysis.item_facts import bindings
from n1fix.analysis.row_sources import Source, row_source
from n1fix.analysis.string_collation import string_collation_gap
from n1fix.cst.ancestry import nodes_with_ancestry
from n1fix.cst.syntax import COMPREHENSIONS, names_assigned, walk
from n1fix.orm.dialect import Cardinality, Style
from n1fix.rules.base import Applicability, Finding

# Query parts after which a WHERE changes which rows come back, not only how many.
_ROW_CHANGING = {"limit", "offset", "slice", "distinct", "group_by", "having"}
_TYPE_FAMILIES = {
    "int": "int",
    "integer": "int",
    "biginteger": "int",
    "smallinteger": "int",
    "bigint": "int",
    "bool": "bool",
    "boolean": "bool",
    "str": "str",
    "string": "str",
    "text": "str",
    "unicode": "str",
    "unicodetext": "str",
    "varchar": "str",
    # no value of these is false in Python (a midnight `time` is true since 3.5): their
    # truth is `is not None`
    "datetime": "temporal",
    "date": "temporal",
    "time": "temporal",
    "datetime.datetime": "temporal",
    "datetime.date": "temporal",
    "datetime.time": "temporal",
}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_OPERATORS = {
    cst.Equal: "==",
    cst.NotEqual: "!=",
    cst.LessThan: "<",
    cst.LessThanEqual: "<=",
    cst.GreaterThan: ">",
    cst.GreaterThanEqual: ">=",
    cst.In: "in",
    cst.NotIn: "not in",
    cst.Is: "is",
    cst.IsNot: "is not",
}


@dataclass
class Condition:
    code: str  # `Render.chain_id.is_(None)`
    needs_or: bool = False
    unsafe: str | None = None  # why the SQL may keep other rows than Python


class _NoFix(Exception):
    """A test on the row's own columns that SQL cannot say the same way."""


class _NotAFilter(Exception):
    """A test that reads more than the row's own columns: not this rule's pattern."""


@dataclass
class FilterPlan:
    site: (
        cst.BaseExpression
    )  # the comprehension (what the fixer follows between passes)
    source: Source
    conditions: list[Condition]
    style: Style
    # How the comprehension ends up: "fold" (it and the rows' statement become one
    # statement), "query" (replaced by the query itself), "name" (by the rows' name: a list
    # from `.all()` that nothing else holds), "list" (`list(rows)`), or "keep" (the
    # comprehension stays, without its tests).
    mode: str
    rows_binding: cst.SimpleStatementLine | None = None  # `users = ...`, folded away
    add_all: bool = False  # the query is iterated as is: `.all()` makes it a list


def find(ctx, rule) -> Iterable[Finding]:
    for comp, ancestry in _comprehensions(ctx.module):
        finding = _check(rule, ctx, comp, ancestry)
        if finding is not None:
            yield finding


def _comprehensions(module: cst.Module):
    """Comprehensions with an `if`, each with its ancestors (module first), the innermost
    and last first."""
    found = nodes_with_ancestry(
        module,
        lambda node, _: bool(node.for_in.ifs) and node.for_in.asynchronous is None,
        frozenset(COMPREHENSIONS),
    )
    found.reverse()
    return found


def _check(rule, ctx, comp, ancestry) -> Finding | None:
    clause = comp.for_in
    if clause.inner_for_in is not None or not isinstance(clause.target, cst.Name):
        return None
    name = clause.target.value
    iterable = clause.iter
    source = row_source(ctx, iterable, ancestry, follow=False)
    if (
        source is None
        or source.shape.cardinality is not Cardinality.LIST
        or source.helper is not None
    ):
        return None  # not rows of a query in sight (a relationship collection, rows passed in)
    if source.shape.style is Style.DJANGO:
        return None  # the filter it writes is SQLAlchemy's `.where(...)`
    if source.shape.opaque or any(
        mc.name in _ROW_CHANGING for mc in source.shape.statement_calls
    ):
        return None
    tests: list[cst.BaseExpression] = []
    for test in clause.ifs:
        _conjuncts(test.test, tests)
    style = source.shape.style
    where = ctx.code(iterable)
    where = (
        f"`{where}`" if len(where) <= 40 and "\n" not in where else "the query's rows"
    )
    conditions, no_fix = [], None
    for test in tests:
        # every test first: one that is not about the row's columns makes this no finding,
        # whichever test comes first
        try:
            conditions.append(_condition(ctx, test, name, source, style, ancestry))
        except _NotAFilter:
            return None
        except _NoFix as why:
            no_fix = no_fix or str(why)
    if no_fix is not None:
        return _finding(
            rule, ctx, comp, source, Applicability.NONE, f"no fix: {no_fix}", where
        )
    blockers = _rows_blockers(ctx, comp, iterable, ancestry)
    if blockers is not None:
        return _finding(
            rule, ctx, comp, source, Applicability.NONE, f"no fix: {blockers}", where
        )
    mode, binding, add_all = _mode(comp, name, iterable, source, ancestry)
    plan = FilterPlan(comp, source, conditions, style, mode, binding, add_all)
    unsafe = [c.unsafe for c in conditions if c.unsafe]
    if unsafe:
        return _finding(
            rule,
            ctx,
            comp,
            source,
            Applicability.UNSAFE,
            "; ".join(dict.fromkeys(unsafe)),
            where,
            plan,
        )
    return _finding(rule, ctx, comp, source, Applicability.SAFE, None, where, plan)


def _finding(
    rule,
    ctx,
    comp,
    source: Source,
    applicability,
    note,
    where="the query's rows",
    plan=None,
) -> Finding:
    model = source.model.name
    message = f"every `{model}` row of {where} is loaded to keep some in Python; filter in the query's WHERE"
    if note is not None and applicability is Applicability.NONE:
        message += f": {note}"
    return rule.finding_at(
        ctx, comp, message, applicability, note, plan=plan, loop=comp
    )


def _conjuncts(expr: cst.BaseExpression, out: list[cst.BaseExpression]) -> None:
    if (
        isinstance(expr, cst.BooleanOperation)
        and isinstance(expr.operator, cst.And)
        and not expr.lpar
    ):
        _conjuncts(expr.left, out)
        _conjuncts(expr.right, out)
    elif isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.And):
        _conjuncts(expr.with_changes(lpar=[], rpar=[]), out)
    else:
        out.append(expr)


# -- one test -> one condition -------------------------------------------------------------


def _column_of(ctx, expr, name: str, source: Source):
    """The column `expr` reads when it is `row.col` of the rows' model, else None."""
    if (
        isinstance(expr, cst.Attribute)
        and isinstance(expr.value, cst.Name)
        and expr.value.value == name
        and not expr.lpar
    ):
        return source.model.column(expr.attr.value)
    return None


def _family(column) -> str | None:
    if not column.type:
        return None
    return _TYPE_FAMILIES.get(
        column.type.lower(), _TYPE_FAMILIES.get(column.type.rsplit(".", 1)[-1].lower())
    )


def _literal(expr) -> tuple[str, object] | None:
    """("int"|"bool"|"none"|"str"|"float", value) for a literal, else None."""
    if isinstance(expr, cst.Name) and expr.value in ("None", "True", "False"):
        return (
            ("none", None) if expr.value == "None" else ("bool", expr.value == "True")
        )
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        inner = _literal(expr.expression)
        return inner if inner is not None and inner[0] in ("int", "float") else None
    if isinstance(expr, cst.Integer):
        return ("int", expr.evaluated_value)
    if isinstance(expr, (cst.Float, cst.Imaginary)):
        return ("float", None)
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
        return ("str", None)
    return None


def _invariant(ctx, expr, name: str, ancestry) -> bool:
    """A name or dotted name (`limit`, `Status.ACTIVE`, `self.owner_id`) the function does
    not assign (so it holds the same value where the query runs as in the comprehension),
    and that is not the row itself."""
    base = expr
    while isinstance(base, cst.Attribute):
        base = base.value
    if not isinstance(base, cst.Name) or base.value == name:
        return False
    function = next(
        (n for n in reversed(ancestry) if isinstance(n, (cst.FunctionDef, cst.Module))),
        None,
    )
    scope = function.body if isinstance(function, cst.FunctionDef) else function
    return base.value not in names_assigned(scope) if scope is not None else False


def _condition(
    ctx, test, name: str, source: Source, style: Style, ancestry
) -> Condition:
    model = source.entity_code
    column = _column_of(ctx, test, name, source)
    if column is not None:  # `if u.is_admin`
        return _truth(test, column, model, False, style)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        column = _column_of(ctx, test.expression, name, source)
        if column is not None:
            return _truth(test.expression, column, model, True, style)
        raise _NotAFilter
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        raise _NotAFilter
    left, target = test.left, test.comparisons[0]
    operator = _OPERATORS.get(type(target.operator))
    right = target.comparator
    if operator is None:
        raise _NotAFilter
    column = _column_of(ctx, left, name, source)
    if column is None and operator in _FLIPPED:
        column = _column_of(ctx, right, name, source)
        if column is not None:
            left, right, operator = right, left, _FLIPPED[operator]
    if column is None:
        raise _NotAFilter
    attr = f"{model}.{column.attr}"
    if operator in ("in", "not in"):
        return _membership(ctx, attr, column, operator, right, name, style, ancestry)
    literal = _literal(right)
    if literal is None and not _invariant(ctx, right, name, ancestry):
        raise _NotAFilter  # another row's column, a call: not a filter on this row alone
    value = ctx.code(right)
    if operator in ("is", "is not"):
        if literal is None or literal[0] not in ("none", "bool"):
            raise _NotAFilter  # identity of anything else: not a value test
        method = (
            "is_" if operator == "is" else ("is_not" if style is Style.V2 else "isnot")
        )
        if literal[0] == "bool" and _family(column) != "bool":
            raise _NoFix(
                f"`{column.attr} is {value}` compares identity with a Boolean; `{column.attr}` is not a Boolean column"
            )
        return Condition(f"{attr}.{method}({value})")
    unsafe = _value_gap(column, literal, value, operator)
    if literal is not None and literal[0] == "none":
        # `x.col == None` is `x.col is None` for column values
        if operator not in ("==", "!="):
            raise _NoFix(f"`{column.attr} {operator} None` raises TypeError in Python")
        method = (
            "is_" if operator == "==" else ("is_not" if style is Style.V2 else "isnot")
        )
        return Condition(f"{attr}.{method}(None)")
    if literal is not None and literal[0] == "bool" and operator in ("==", "!="):
        if operator == "==":
            return Condition(f"{attr}.is_({value})", unsafe=unsafe)
        opposite = "False" if literal[1] else "True"
        return _with_null(f"{attr}.is_({opposite})", attr, column, unsafe)
    if operator == "!=":
        return _with_null(f"{attr} != {value}", attr, column, unsafe)
    if operator in ("<", "<=", ">", ">=") and column.nullable and unsafe is None:
        unsafe = (
            f"`{column.attr}` is nullable: Python's `{operator}` raises TypeError on a NULL row, "
            "the WHERE skips it (the fix turns a crash into a result)"
        )
    return Condition(f"{attr} {operator} {value}", unsafe=unsafe)


def _with_null(code: str, attr: str, column, unsafe: str | None) -> Condition:
    """Python keeps a None where the SQL `!=` drops NULL: add `OR col IS NULL`."""
    if not column.nullable:
        return Condition(code, unsafe=unsafe)
    return Condition(f"or_({code}, {attr}.is_(None))", needs_or=True, unsafe=unsafe)


def _value_gap(column, literal, value: str, operator: str) -> str | None:
    """Why SQL may compare the value differently from Python, or None when it cannot."""
    family = _family(column)
    if literal is None:
        return f"`{value}` is not a literal: n1fix cannot tell its type (SQL converts '1' to 1, Python does not) or whether it is None (`= NULL` matches nothing)"
    kind = literal[0]
    if kind == "none":
        return None
    if kind == "str" or family == "str":
        return string_collation_gap(column.attr)
    if kind == "float":
        return "a float literal: the database may round or convert it differently than Python compares it"
    if family is None:
        return f"n1fix does not know how the database compares `{column.attr}` ({column.type or 'type unknown'}) with `{value}`"
    if family == "bool" and kind == "bool" and operator in ("==", "!="):
        return None
    if family == "int" and kind in ("int", "bool"):
        return None
    return f"`{column.attr}` ({column.type}) compared with `{value}`: SQL may convert where Python does not"


def _truth(expr, column, model: str, negated: bool, style: Style) -> Condition:
    attr = f"{model}.{column.attr}"
    if _family(column) == "temporal":  # always true unless None
        if negated:
            return Condition(f"{attr}.is_(None)")
        return Condition(f"{attr}.{'is_not' if style is Style.V2 else 'isnot'}(None)")
    if _family(column) != "bool":
        what = f"`{column.attr}` ({column.type or 'type unknown'})"
        raise _NoFix(
            f"the truth of {what} is not a SQL test: Python counts 0, '' and empty values as false"
        )
    if not negated:
        return Condition(f"{attr}.is_(True)")
    return _with_null(f"{attr}.is_(False)", attr, column, None)


def _membership(ctx, attr, column, operator, right, name, style, ancestry) -> Condition:
    if not isinstance(right, (cst.Tuple, cst.List, cst.Set)) or any(
        isinstance(e, cst.StarredElement) for e in right.elements
    ):
        raise _NotAFilter
    values = [e.value for e in right.elements]
    literals = [_literal(v) for v in values]
    if any(lit is None for lit in literals):
        if not all(
            lit is not None or _invariant(ctx, v, name, ancestry)
            for v, lit in zip(values, literals)
        ):
            raise _NotAFilter
    if any(lit is not None and lit[0] == "none" for lit in literals):
        raise _NoFix(
            f"the values hold None: SQL's `IN (..., NULL)` never matches a NULL `{column.attr}`"
        )
    gaps = [
        _value_gap(column, lit, ctx.code(v), "==") for v, lit in zip(values, literals)
    ]
    unsafe = next((g for g in gaps if g), None)
    listed = "[" + ", ".join(ctx.code(v) for v in values) + "]"
    if operator == "in":
        return Condition(f"{attr}.in_({listed})", unsafe=unsafe)
    method = "not_in" if style is Style.V2 else "notin_"
    return _with_null(f"{attr}.{method}({listed})", attr, column, unsafe)


# -- the rows: used only here? ------------------------------------------------------------


def _function_scope(ancestry):
    return next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), ancestry[0]
    )


def _reads_of(scope, name: str) -> int:
    """How many times `name` is read in `scope` (nested functions included: they may read it)."""
    count = 0
    for node in walk(scope, into_scopes=True):
        if isinstance(node, cst.Name) and node.value == name:
            count += 1
    return count


def _rows_blockers(ctx, comp, iterable, ancestry) -> str | None:
    """Why the query must keep loading every row, or None."""
    scope = _function_scope(ancestry)
    if isinstance(iterable, cst.Name):
        rows = iterable.value
        # one binding (`rows = ...`) and one read (the comprehension)
        if _reads_of(scope, rows) > 2:
            return (
                f"`{rows}` is used elsewhere too, and there every row is still needed"
            )
    statement = _statement_variable(iterable, ancestry)
    if statement is not None and _reads_of(scope, statement) > 2:
        return f"the statement `{statement}` is run elsewhere too; a WHERE added to it would filter there as well"
    return None


def _statement_variable(iterable, ancestry) -> str | None:
    """The `stmt` of `session.scalars(stmt)` the rows come from, if any."""
    value = iterable
    if isinstance(iterable, cst.Name):
        found = bindings(iterable.value, ancestry)
        value = found[0][0] if len(found) == 1 else None
    while value is not None and not (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value in ("scalars", "execute")
    ):
        if isinstance(value, cst.Await):
            value = value.expression
        elif isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
            value = value.func.value
        else:
            value = None
    if value is None or not value.args or not isinstance(value.args[0].value, cst.Name):
        return None
    return value.args[0].value.value


def _mode(comp, name: str, iterable, source: Source, ancestry):
    """How the comprehension is rewritten (see `FilterPlan.mode`)."""
    keeps_rows = (
        isinstance(comp, cst.ListComp)
        and isinstance(comp.elt, cst.Name)
        and comp.elt.value == name
    )
    terminal = source.shape.terminal
    add_all = terminal is None
    if not keeps_rows:
        return "keep", None, False
    if not isinstance(iterable, cst.Name):
        return "query", None, add_all
    binding = _adjacent_binding(comp, iterable.value, ancestry)
    if binding is not None and not source.shape.is_async:
        return "fold", binding, add_all
    # `(await ...).all()` folded would need four lines of brackets: the rows' statement stays.
    # The rows' own list stands in for the comprehension's new one only when the
    # comprehension runs once (in a loop, each pass would get the same list).
    if terminal is not None and terminal.name == "all" and not _repeats(ancestry):
        return "name", None, False
    return "list", None, False


def _repeats(ancestry) -> bool:
    """Whether code at the end of `ancestry` may run more than once per call of its function."""
    scope = _function_scope(ancestry)
    inside = ancestry[ancestry.index(scope) + 1 :] if scope in ancestry else ancestry
    return any(isinstance(n, (cst.For, cst.While, *COMPREHENSIONS)) for n in inside)


def _adjacent_binding(comp, rows: str, ancestry) -> cst.SimpleStatementLine | None:
    """`rows = <query>` as the statement right before the one holding the comprehension,
    in the same block."""
    for i in range(len(ancestry) - 1, 0, -1):
        statement = ancestry[i]
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        block = ancestry[i - 1]
        body = list(getattr(block, "body", []))
        if statement not in body:
            return None
        at = body.index(statement)
        if at == 0:
            return None
        before = body[at - 1]
        if not isinstance(before, cst.SimpleStatementLine) or len(before.body) != 1:
            return None
        assign = before.body[0]
        if (
            isinstance(assign, (cst.Assign, cst.AnnAssign))
            and (
                len(assign.targets) == 1
                if isinstance(assign, cst.Assign)
                else assign.value is not None
            )
            and _target_name(assign) == rows
        ):
            return before
        return None
    return None


def _target_name(assign) -> str | None:
    target = (
        assign.targets[0].target if isinstance(assign, cst.Assign) else assign.target
    )
    return target.value if isinstance(target, cst.Name) else None


__all__ = ["Condition", "FilterPlan", "find"]
