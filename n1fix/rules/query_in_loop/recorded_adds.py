"""Get-or-create whose keys may repeat: the batch records each row the loop adds.

`link = Link.query.filter_by(project_id=p.id, person_id=pid).first()`, then, when it is
None, `link = Link(project_id=p.id, person_id=pid)` and `session.add(link)`. With a key
repeated in the items, the second lookup finds the row the first item added (the query
autoflushes it). A batch run before the loop cannot; so the rewrite records each new row
under its key right after the add (`links_by_person_id[pid] = link`), and a later item's
lookup finds that object, the one the original's query returns once the row is flushed
(the identity map hands back the pending object). Zou's `Project.set_team`.

That holds when:
- the query reads one entity, filtered only by columns equal to values (no join, no
  other condition): so a row matches exactly when those columns hold those values;
- the new row is built in the loop body by the model's own constructor, with only column
  keywords, and each filtered column set to the code the query compares it with (the
  key, and the same loop-invariant values), without a call: the query would find it;
- it is added, `session.add(new)`, in the branch that runs when the lookup found nothing
  (`if found is None:` / `if not found:`, or the `else` of `if found:`), built in that
  branch before the add: a key the batch found adds nothing;
- the session autoflushes before a query (SQLAlchemy's default, which the code does not
  show): without it the original's second lookup finds nothing and adds the row twice.
  So the fix is unsafe and says so; inside `with session.no_autoflush:` it is no fix.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from n1fix.cst.loop_frames import Frame
from n1fix.cst.syntax import COMPREHENSIONS, walk
from n1fix.rules.query_in_loop.shared_session import _builds

_FILTERS = {"where", "filter", "filter_by"}
_ALLOWED_CALLS = _FILTERS | {"query", "select", "options", "order_by"}

AUTOFLUSH_GAP = (
    "each row the loop adds is recorded under its key for a later item's lookup, as "
    "the per-item query finds it once autoflushed: this relies on the session's "
    "autoflush (the default, not shown here)"
)


@dataclass(frozen=True)
class RecordedAdd:
    """Where the rewrite records a row the loop adds: after `statement`, under the
    item's key, the object `value` names (what a later item's lookup of that key
    returns in the original, once autoflushed)."""

    statement: cst.SimpleStatementLine
    value: str


def recorded_add(
    ctx, call: cst.Call, frame: Frame, shape, model, key_codes: set[str], ancestry
) -> RecordedAdd | None:
    """The record for `call`, a write in the loop, when it is the add of a get-or-create
    the batch can keep up to date (see the module's docstring); else None."""
    if model is None or model.constructor is not None or not frame.is_for:
        return None
    filtered = _filtered_columns(ctx, shape)
    if filtered is None:
        return None
    between = ancestry[frame.index + 1 : -1]
    if any(isinstance(n, (cst.For, cst.While, *COMPREHENSIONS)) for n in between):
        return None  # the lookup runs more than once an item
    if any(_without_autoflush(node) for node in ancestry):
        return None  # the original's later lookup would not see the row: no record
    lookup_name = _bound_to(ancestry)
    if lookup_name is None or not _is_add_of_name(call):
        return None
    name = call.args[0].value.value
    statement, block, guard = _statement_and_guard(frame.node.body, call)
    if statement is None or not _runs_when_missing(guard, block, lookup_name):
        return None
    order = {id(n): i for i, n in enumerate(walk(frame.node.body))}
    if order.get(id(guard), -1) <= order.get(id(ancestry[-1]), len(order)):
        return None
    position = block.body.index(statement)
    built = [
        (index, node.value)
        for index, line in enumerate(block.body)
        for node in walk(line)
        if isinstance(node, cst.Assign)
        and any(
            isinstance(t.target, cst.Name) and t.target.value == name
            for t in node.targets
        )
    ]
    if (
        len(built) != 1
        or built[0][0] >= position
        or not _builds_matching_row(ctx, built[0][1], model, filtered)
    ):
        return None
    if not _filtered_key_present(filtered, key_codes):
        return None
    return RecordedAdd(statement, name)


def _filtered_columns(ctx, shape) -> dict[str, str] | None:
    """Column -> the code it is compared with, when every condition of the query is one
    column equal to a value; None otherwise."""
    if shape.opaque or shape.limit is not None or shape.get_key is not None:
        return None
    if any(mc.name not in _ALLOWED_CALLS for mc in shape.statement_calls):
        return None
    predicate_nodes = {id(p.node) for p in shape.predicates}
    for mc in shape.statement_calls:
        if mc.name in _FILTERS and any(
            id(arg if mc.name == "filter_by" else arg.value) not in predicate_nodes
            for arg in mc.call.args
        ):
            return None
    columns: dict[str, str] = {}
    for predicate in shape.predicates:
        if predicate.object_key or predicate.attr in columns:
            return None
        columns[predicate.attr] = ctx.code(predicate.value)
    return columns or None


def _without_autoflush(node: cst.CSTNode) -> bool:
    """`with session.no_autoflush:`"""
    return isinstance(node, cst.With) and any(
        isinstance(item.item, cst.Attribute) and item.item.attr.value == "no_autoflush"
        for item in node.items
    )


def _filtered_key_present(filtered: dict[str, str], key_codes: set[str]) -> bool:
    return any(code in key_codes for code in filtered.values())


def _bound_to(ancestry) -> str | None:
    """`name` in `name = <lookup>`, the statement the query sits in."""
    for node in reversed(ancestry[:-1]):
        if isinstance(node, cst.Assign):
            if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                return node.targets[0].target.value
            return None
        if isinstance(node, cst.BaseStatement):
            return None
    return None


def _is_add_of_name(call: cst.Call) -> bool:
    return (
        isinstance(call.func, cst.Attribute)
        and call.func.attr.value == "add"
        and len(call.args) == 1
        and call.args[0].keyword is None
        and call.args[0].star == ""
        and isinstance(call.args[0].value, cst.Name)
    )


def _statement_and_guard(body: cst.CSTNode, call: cst.Call):
    """The statement line `call` stands alone in (`session.add(x)`), the block holding
    it directly, and the `if` that block is the body or the `else` of; Nones otherwise."""
    for node in walk(body):
        if not isinstance(node, cst.If):
            continue
        blocks = [node.body]
        if isinstance(node.orelse, cst.Else):
            blocks.append(node.orelse.body)
        for block in blocks:
            if not isinstance(block, cst.IndentedBlock):
                continue
            for statement in block.body:
                if (
                    isinstance(statement, cst.SimpleStatementLine)
                    and len(statement.body) == 1
                    and isinstance(statement.body[0], cst.Expr)
                    and statement.body[0].value is call
                ):
                    return statement, block, node
    return None, None, None


def _runs_when_missing(guard: cst.If, block, name: str) -> bool:
    """`block` runs exactly when the lookup bound to `name` found nothing: the body of
    `if name is None:` / `if not name:`, or the `else` of `if name:` /
    `if name is not None:`."""
    missing = _tests(guard.test, name)
    if block is guard.body:
        return missing is True
    return missing is False


def _tests(test: cst.BaseExpression, name: str) -> bool | None:
    """True for a test that `name` is missing (`is None`, `not name`), False for one that
    it was found (`is not None`, `name`), None for anything else."""
    if isinstance(test, cst.Name):
        return False if test.value == name else None
    if (
        isinstance(test, cst.UnaryOperation)
        and isinstance(test.operator, cst.Not)
        and isinstance(test.expression, cst.Name)
    ):
        return True if test.expression.value == name else None
    if (
        isinstance(test, cst.Comparison)
        and isinstance(test.left, cst.Name)
        and test.left.value == name
        and len(test.comparisons) == 1
        and isinstance(test.comparisons[0].comparator, cst.Name)
        and test.comparisons[0].comparator.value == "None"
    ):
        operator = test.comparisons[0].operator
        if isinstance(operator, cst.Is):
            return True
        if isinstance(operator, cst.IsNot):
            return False
    return None


def _builds_matching_row(ctx, built, model, filtered: dict[str, str]) -> bool:
    """`Model(col=value, ...)`: only column keywords, and each filtered column given the
    code the query compares it with, without a call (the loop's other calls, those in
    the other columns' values too, are judged as every call of the loop is)."""
    if not _builds(built, model.name):
        return False
    given: dict[str, str] = {}
    for arg in built.args:
        if arg.keyword is None or arg.star:
            return False
        attr = arg.keyword.value
        if model.column(attr) is None:
            return False  # a relationship could cascade other rows in
        if attr in filtered and any(
            isinstance(n, cst.Call) for n in [arg.value, *walk(arg.value)]
        ):
            return False  # a call may give another value than the query's
        given[attr] = ctx.code(arg.value)
    return all(given.get(attr) == code for attr, code in filtered.items())
