"""Which comprehensions `filter-in-python` may report, read with `ast` for its gate.

The check (`analysis._check`) reads a comprehension with one synchronous `for` clause
whose target is a plain name, splits its `if` tests at every `and` (`_conjuncts`), and
gives up on the whole comprehension (`_NotAFilter`) as soon as one test is not one of:

- `row.col` or `not row.col` (`_truth`);
- `row.col OP value` with one comparison, where OP is `==`, `!=`, `<`, `<=`, `>`, `>=`
  and either side may be the column (`_FLIPPED`); `row.col is value` /
  `is not value` with the column on the left and the value None, True or False;
  `row.col in (...)` / `not in` with the column on the left and a literal tuple, list
  or set without `*` (`_membership`);

where `row` is the comprehension's target and a value is a literal (`_literal`: a
constant, or `-` before one) or a name or dotted name not rooted at the row
(`_invariant`). So a comprehension with any other test (a call, a subscript, a second
comparison, an `or`, another row's column) can never be a finding. What is read here is
a superset: `ast` does not show parentheses, which make the check's `_column_of` say no,
and the column, the value's type and whether the name is assigned are left to the check.
"""

from __future__ import annotations

import ast

_COLUMN_EITHER_SIDE = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_MEMBERSHIP = (ast.In, ast.NotIn)
_IDENTITY = (ast.Is, ast.IsNot)


def row_filter_tests(comprehension: ast.AST) -> bool:
    """Whether every test of `comprehension` (with one `for` clause over a plain name
    and at least one `if`) may be one the check turns into a WHERE condition."""
    generators = comprehension.generators
    if len(generators) != 1:
        return False
    clause = generators[0]
    if clause.is_async or not clause.ifs or type(clause.target) is not ast.Name:
        return False
    row = clause.target.id
    tests: list[ast.expr] = []
    for test in clause.ifs:
        _conjuncts(test, tests)
    return all(_may_be_condition(test, row) for test in tests)


def _conjuncts(expr: ast.expr, out: list[ast.expr]) -> None:
    if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.And):
        for value in expr.values:
            _conjuncts(value, out)
    else:
        out.append(expr)


def _may_be_condition(test: ast.expr, row: str) -> bool:
    if _is_column(test, row):
        return True
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _is_column(test.operand, row)
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return False
    operator, left, right = test.ops[0], test.left, test.comparators[0]
    if isinstance(operator, _COLUMN_EITHER_SIDE):
        return (_is_column(left, row) and _is_value(right, row)) or (
            _is_column(right, row) and _is_value(left, row)
        )
    if not _is_column(left, row):
        return False
    if isinstance(operator, _MEMBERSHIP):
        return isinstance(right, (ast.Tuple, ast.List, ast.Set)) and all(
            not isinstance(element, ast.Starred) and _is_value(element, row)
            for element in right.elts
        )
    if isinstance(operator, _IDENTITY):
        return isinstance(right, ast.Constant) and any(
            right.value is constant for constant in (None, True, False)
        )
    return False


def _is_column(expr: ast.expr, row: str) -> bool:
    """`row.attr`: what `_column_of` may read as one of the row's columns."""
    return (
        isinstance(expr, ast.Attribute)
        and isinstance(expr.value, ast.Name)
        and expr.value.id == row
    )


def _is_value(expr: ast.expr, row: str) -> bool:
    """A literal (`_literal`) or a name or dotted name not rooted at the row
    (`_invariant`)."""
    if isinstance(expr, ast.Constant):
        return True
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
        return isinstance(expr.operand, ast.Constant)
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return isinstance(expr, ast.Name) and expr.id != row
