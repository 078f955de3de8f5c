"""The statement that binds a name on the way to a query in a loop body.

Keys are often bound inside the branch that runs the query, not at the top of the body:

    for operation in operations:
        if operation.get("action") == "replace":
            memory_id = operation.get("id")
            memory = await db.get(Memory, memory_id)

`memory_id = ...` runs whenever the query does: it sits in a block the query sits in,
before it. Such a binding, the body's only binding of the name, gives the name's value at
the query as surely as a top-level one. Blocks of an inner loop are not looked into: what
they bind changes per item of that loop, not of this one.
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.loop_frames import Frame
from n1fix.cst.statements import is_name_assignment, sole_small_statement
from n1fix.cst.syntax import SCOPES, pattern_captures, target_names, walk

_BINDERS = (
    cst.AssignTarget,
    cst.AnnAssign,
    cst.AugAssign,
    cst.For,
    cst.NamedExpr,
)


def binding_on_path(
    name: str, frame: Frame, ancestry
) -> cst.SimpleStatementLine | None:
    """The `name = value` line in a block on the path from the `for` body down to the end
    of `ancestry`, before that path (whether it is the body's only binding of `name`:
    `bound_once`)."""
    path = ancestry[frame.index + 1 :]
    found = None
    for position, node in enumerate(path[:-1]):
        if isinstance(node, (cst.For, cst.While, *SCOPES)) and position > 0:
            break  # an inner loop's blocks run per item of that loop
        if not isinstance(node, cst.IndentedBlock):
            continue
        for statement in node.body:
            if statement is path[position + 1]:
                break
            small = sole_small_statement(statement)
            if is_name_assignment(small) and small.targets[0].target.value == name:
                found = statement
    return found


def bound_once(name: str, body: cst.CSTNode) -> bool:
    return _bindings_of(name, body) == 1


def _bindings_of(name: str, body: cst.CSTNode) -> int:
    """How many statements or clauses of `body` bind `name` (nested scopes left out)."""
    return sum(1 for node in walk(body) if name in _bound_by(node))


def _bound_by(node: cst.CSTNode) -> set[str]:
    if isinstance(node, _BINDERS):
        return target_names(node.target)
    if isinstance(node, cst.AsName):
        return target_names(node.name)
    if isinstance(node, cst.ImportAlias):
        return _imported(node)
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        return {node.name.value}
    if isinstance(node, cst.Del):
        return target_names(node.target)
    return pattern_captures(node)


def _imported(alias: cst.ImportAlias) -> set[str]:
    if alias.asname is not None:
        return target_names(alias.asname.name)
    root = alias.name
    while isinstance(root, cst.Attribute):
        root = root.value
    return {root.value} if isinstance(root, cst.Name) else set()
