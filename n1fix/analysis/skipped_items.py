"""The items a loop skips before its query, restated as a filter of the batch's keys.

    for ref in asset.producing_tasks:
        if readable is not None and ref.dag_id not in readable:
            continue
        task_key = (ref.dag_id, ref.task_id)
        if task_key not in processed:
            processed.add(task_key)
            rows = session.scalars(select(A).where(A.dag_id == ref.dag_id, ...)).all()

queries only for the readable tasks it has not met before. A batch whose key list takes
every item reads rows for the others too, and runs a query where the loop ran none (every
item skipped). When each condition on the way to the query gives the same answer before
the loop, the key list takes them as its filter and the batch reads exactly the keys the
loop would have queried:

    [(ref.dag_id, ref.task_id) for ref in refs
     if (readable is None or ref.dag_id in readable) and (ref.dag_id, ref.task_id) not in processed]

A condition qualifies when it calls nothing and reads only the item, names the body binds
from the item before it (restated in terms of the item), `None`/`True`/`False`, and names
of the enclosing function that nothing in the loop (nor a nested function) changes. One
change is allowed, the "seen set": `seen` changed only by `seen.add(key)` (or, a dict
memoising a value per key, `seen[key] = value`) statements on the query's own path, `key`
being what the condition tests against `seen`, and otherwise only read. The set then only
grows, by keys the loop queries; a key not in it before the loop is queried by the first
item that reaches the query with it, and a key already in it is queried by no item, so the
test read before the loop keeps exactly the keys the loop would have queried.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import libcst as cst

from n1fix.analysis.item_keys import changed_in_loop
from n1fix.cst.loop_frames import Frame, makes_conditional
from n1fix.cst.syntax import SCOPES, children, names_read, walk

_FLIPPED = {cst.In: cst.NotIn, cst.NotIn: cst.In, cst.Is: cst.IsNot, cst.IsNot: cst.Is}
_IMPURE = (cst.Call, cst.Await, cst.NamedExpr, cst.Yield, cst.Lambda)
_CONSTANTS = {"None", "True", "False"}


def item_filters(
    frame: Frame,
    ancestry: list[cst.CSTNode],
    site_index: int,
    restate,
    local,
    pure_call=None,
) -> list[cst.BaseExpression] | None:
    """The tests an item passes exactly when the loop reaches the query at
    `ancestry[site_index]` for it, each in terms of the item and evaluable before the
    loop; None when some condition on the way is not such a test.

    `restate(expr, statement)` gives `expr` with the names the loop body binds before its
    top-level `statement` replaced by their values (None when it cannot); `local(name)`
    says whether the enclosing function binds `name`; `pure_call(call)` whether a call
    is a pure read of the item (`entry.get("kind")` of a dict), which a test may make.
    """
    if not frame.is_for:
        return None
    loop = frame.node
    path = ancestry[
        frame.index + 1 : site_index + 1
    ]  # the loop's block down to the query
    conditions = _conditions(path, loop)
    if conditions is None:
        return None
    seen_sets = _seen_sets(conditions, path, loop, restate)
    function = next(
        (
            n
            for n in reversed(ancestry[: frame.index])
            if isinstance(n, cst.FunctionDef)
        ),
        None,
    )
    filters: list[cst.BaseExpression] = []
    for condition in conditions:
        if any(
            isinstance(n, _IMPURE)
            and not (isinstance(n, cst.Call) and pure_call and pure_call(n))
            for n in [condition.test, *walk(condition.test)]
        ):
            return None
        test = restate(condition.test, condition.held_by)
        if test is None or not _evaluable_before(
            test, frame, seen_sets, local, function
        ):
            return None
        filters.append(_negated(test) if condition.negated else test)
    return filters


@dataclass
class _Condition:
    test: cst.BaseExpression  # as written
    negated: (
        bool  # the query runs when the test is false (`if test: continue`, `else:`)
    )
    held_by: cst.CSTNode  # the loop body's top-level statement it is evaluated in


def _conditions(path: list[cst.CSTNode], loop: cst.For) -> list[_Condition] | None:
    """The conditions the query at the end of `path` runs under, in evaluation order;
    None when one is not an `if` test (a `try`, a nested loop, a `continue` n1fix cannot
    read as `if T: continue`)."""
    top = path[1]
    found: list[_Condition] = []
    for i, node in enumerate(path[:-1]):
        child = path[i + 1]
        if isinstance(node, cst.IndentedBlock):
            for statement in _before(node, child):
                skip = _skip_test(statement)
                if skip is not None:
                    held_by = statement if node is path[0] else top
                    found.append(_Condition(skip, True, held_by))
                elif _continues(statement):
                    return None
        elif isinstance(node, cst.If):
            if child is node.body:
                found.append(_Condition(node.test, False, top))
            elif child is node.orelse:
                found.append(_Condition(node.test, True, top))
        elif makes_conditional(node, child) or isinstance(
            node, (cst.For, cst.While, *SCOPES)
        ):
            return None
    return found


def _before(block: cst.IndentedBlock, child: cst.CSTNode) -> list[cst.BaseStatement]:
    statements = list(block.body)
    position = next(i for i, s in enumerate(statements) if s is child)
    return statements[:position]


def _skip_test(statement: cst.CSTNode) -> cst.BaseExpression | None:
    """`T` of `if T: continue` (nothing else in the `if`, no `else`)."""
    if not isinstance(statement, cst.If) or statement.orelse is not None:
        return None
    body = statement.body
    if isinstance(body, cst.IndentedBlock):
        if len(body.body) != 1 or not isinstance(
            line := body.body[0], cst.SimpleStatementLine
        ):
            return None
        smalls = line.body
    else:
        smalls = body.body
    return statement.test if [type(s) for s in smalls] == [cst.Continue] else None


def _continues(statement: cst.CSTNode) -> bool:
    """Can `statement` skip the rest of the loop's body (a `continue` of this loop)?"""
    stack = [statement]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Continue):
            return True
        if isinstance(node, SCOPES):
            continue
        if isinstance(node, (cst.For, cst.While)):
            # a `continue` in a nested loop's body is that loop's; its `else` is ours
            if node.orelse is not None:
                stack.append(node.orelse)
            continue
        stack.extend(children(node))
    return False


def _negated(test: cst.BaseExpression) -> cst.BaseExpression:
    """`not test`, as a person writes it: `x in y` for `x not in y`, De Morgan for
    `and`/`or`, the operand of a `not`; evaluated in the same order, with the same
    short-circuits."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return test.expression.with_changes(lpar=[], rpar=[])
    if (
        isinstance(test, cst.Comparison)
        and len(test.comparisons) == 1
        and type(test.comparisons[0].operator) in _FLIPPED
    ):
        target = test.comparisons[0]
        flipped = _FLIPPED[type(target.operator)]()
        return test.with_changes(
            comparisons=[target.with_changes(operator=flipped)], lpar=[], rpar=[]
        )
    if isinstance(test, cst.BooleanOperation) and not test.lpar:
        joiner = cst.Or() if isinstance(test.operator, cst.And) else cst.And()
        return cst.BooleanOperation(
            left=_operand(_negated(test.left), joiner),
            operator=joiner,
            right=_operand(_negated(test.right), joiner),
        )
    if isinstance(test, cst.BooleanOperation):
        return _negated(test.with_changes(lpar=[], rpar=[]))
    return cst.UnaryOperation(operator=cst.Not(), expression=_bracketed(test))


def _operand(expr: cst.BaseExpression, joiner) -> cst.BaseExpression:
    """`a or b` inside an `and` needs its brackets; the other way round it does not."""
    if (
        isinstance(joiner, cst.And)
        and isinstance(expr, cst.BooleanOperation)
        and isinstance(expr.operator, cst.Or)
    ):
        return _bracketed(expr)
    return expr


def _bracketed(expr: cst.BaseExpression) -> cst.BaseExpression:
    if expr.lpar or isinstance(
        expr, (cst.Name, cst.Attribute, cst.Subscript, cst.Call)
    ):
        return expr
    return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _seen_sets(
    conditions: list[_Condition], path: list[cst.CSTNode], loop: cst.For, restate
) -> set[str]:
    """The names the conditions test as seen sets: `key not in seen` on the way to the
    query (`if key in seen: continue`, or `if key not in seen:` around it), `seen`
    changed in the loop only by `seen.add(key)` (or, for a dict memoising a value per
    key, `seen[key] = value`) statements at the top of the blocks on the query's path,
    used nowhere else in the loop."""
    top = path[1]
    code = cst.Module([]).code_for_node
    tested: dict[str, list[_Condition]] = {}
    for condition in conditions:
        test = condition.test
        if (
            isinstance(test, cst.Comparison)
            and len(test.comparisons) == 1
            and isinstance(
                test.comparisons[0].operator, cst.In if condition.negated else cst.NotIn
            )
            and isinstance(seen := test.comparisons[0].comparator, cst.Name)
        ):
            tested.setdefault(seen.value, []).append(condition)
    found: set[str] = set()
    for name, uses in tested.items():
        adds = [
            (small, line if block is path[0] else top)
            for block in path
            if isinstance(block, cst.IndentedBlock)
            for line in block.body
            if isinstance(line, cst.SimpleStatementLine)
            for small in line.body
            if _added_key(small, name) is not None
        ]
        keys = {
            code(key) if key is not None else None
            for key in [
                *(restate(c.test.left, c.held_by) for c in uses),
                *(restate(_added_key(small, name), held) for small, held in adds),
            ]
        }
        if not adds or len(keys) != 1 or None in keys:
            continue
        allowed = {id(_receiver(small)) for small, _ in adds}
        allowed |= {id(c.test.comparisons[0].comparator) for c in uses}
        if _otherwise_only_read(name, loop, allowed):
            found.add(name)
    return found


def _otherwise_only_read(name: str, loop: cst.For, allowed: set[int]) -> bool:
    """Is every use of `name` in the loop one of `allowed` (the tests and the adds), a
    lookup `name[k]` or `name.get(k)`, or an `in` test? Nothing else may change it."""
    parents: dict[int, cst.CSTNode] = {}
    for node in walk(loop.body, into_scopes=True):
        for child in children(node):
            parents[id(child)] = node
    for node in walk(loop.body, into_scopes=True):
        if not isinstance(node, cst.Name) or node.value != name or id(node) in allowed:
            continue
        parent = parents.get(id(node))
        grandparent = parents.get(id(parent))
        if isinstance(parent, cst.Subscript) and parent.value is node:
            if isinstance(grandparent, (cst.AssignTarget, cst.AugAssign, cst.Del)):
                return False
            continue
        if (
            isinstance(parent, cst.Attribute)
            and parent.value is node
            and parent.attr.value == "get"
            and isinstance(grandparent, cst.Call)
        ):
            continue
        if isinstance(parent, cst.ComparisonTarget) and isinstance(
            parent.operator, (cst.In, cst.NotIn)
        ):
            continue
        return False
    return True


def _added_key(small: cst.BaseSmallStatement, name: str) -> cst.BaseExpression | None:
    """`key` of `name.add(key)` or `name[key] = value` (a set of seen keys, a dict
    memoising a value per key) as a statement of its own; None for anything else."""
    if isinstance(small, cst.Expr) and isinstance(call := small.value, cst.Call):
        func = call.func
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value == name
            and func.attr.value == "add"
            and len(call.args) == 1
            and call.args[0].keyword is None
            and not call.args[0].star
        ):
            return call.args[0].value
        return None
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
        if (
            isinstance(target, cst.Subscript)
            and isinstance(target.value, cst.Name)
            and target.value.value == name
            and len(target.slice) == 1
            and isinstance(target.slice[0].slice, cst.Index)
        ):
            return target.slice[0].slice.value
    return None


def _receiver(small: cst.BaseSmallStatement) -> cst.Name:
    """The set or dict a statement `_added_key` read adds to."""
    if isinstance(small, cst.Expr):
        return small.value.func.value
    return small.targets[0].target.value


def _evaluable_before(
    test: cst.BaseExpression,
    frame: Frame,
    seen_sets: set[str],
    local,
    function: cst.FunctionDef | None,
) -> bool:
    """Does `test` give the same answer before the loop as when the loop reaches it?
    It reads the item, constants, and names of the function nothing in the loop changes
    (a seen set only grows by the keys it tests, see the module docstring)."""
    for node in [test, *walk(test)]:
        if isinstance(node, (cst.Attribute, cst.Subscript)):
            root = node.value
            while isinstance(root, (cst.Attribute, cst.Subscript)):
                root = root.value
            if not (isinstance(root, cst.Name) and root.value in frame.targets):
                return False  # `self.allowed`, `limits[k]`: state the loop may change
            if isinstance(node, cst.Subscript) and not all(
                isinstance(e.slice, cst.Index)
                and isinstance(e.slice.value, (cst.SimpleString, cst.Integer))
                for e in node.slice
            ):
                return False
    for name in names_read(test) - frame.targets - _CONSTANTS:
        if name in frame.varying or not local(name):
            return False
        if name not in seen_sets and changed_in_loop(name, frame):
            return False
        if function is not None and _captured(name, function):
            return False
    return True


def _captured(name: str, function: cst.FunctionDef) -> bool:
    """Does a function or lambda nested in `function` read `name`? Calling it in the
    loop could change what `name` holds without the loop's body naming it."""
    return name in _names_in_nested_scopes(function)


@functools.lru_cache(maxsize=256)
def _names_in_nested_scopes(function: cst.FunctionDef) -> frozenset[str]:
    # LibCST nodes hash by identity and never change; the cache holds the node, so its
    # id is not reused while it is a key.
    return frozenset(
        n.value
        for scope in walk(function.body, into_scopes=True)
        if isinstance(scope, (cst.FunctionDef, cst.Lambda))
        for n in walk(scope)
        if isinstance(n, cst.Name)
    )
