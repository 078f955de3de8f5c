"""Module-level instances of a module's own classes: `Users = UsersTable()`.

Many applications keep their data access in table or repository classes and export one
instance of each (`Users = UsersTable()` at the bottom of `models/users.py`), which the
rest of the code calls: `await Users.get_user_by_id(message.user_id)`. The call runs
`UsersTable.get_user_by_id` with that instance as `self`, so for the function index the
instance's methods are the class's. This module finds such instances with `ast`; only
what the module shows counts: the class is defined in the same module, the name is bound
once at its top level (by that one call), and nowhere else in the module.
"""

from __future__ import annotations

import ast

from n1fix.cst.astwalk import child_nodes


def module_instances(tree: ast.Module) -> dict[str, str]:
    """Instance name -> the name of the class it is built from, for every top-level
    `name = Cls(...)` where `Cls` is a class of this module and `name` is bound nowhere
    else in the module."""
    classes = {s.name for s in tree.body if isinstance(s, ast.ClassDef)}
    if not classes:
        return {}
    found: dict[str, str] = {}
    for statement in tree.body:
        if not (
            isinstance(statement, (ast.Assign, ast.AnnAssign))
            and isinstance(statement.value, ast.Call)
            and isinstance(statement.value.func, ast.Name)
            and statement.value.func.id in classes
        ):
            continue
        targets = (
            statement.targets
            if isinstance(statement, ast.Assign)
            else [statement.target]
        )
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            found[targets[0].id] = statement.value.func.id
    if not found:
        return {}
    counts = _binding_counts(tree, set(found))
    return {
        name: cls
        for name, cls in found.items()
        if counts.get(name, 0) == 1 and name not in classes
    }


def _binding_counts(tree: ast.Module, names: set[str]) -> dict[str, int]:
    """How often each of `names` is bound anywhere in the module (any scope: a
    `global` rebinding in a function counts, and a local of that name is counted too,
    which only ever makes the answer more cautious)."""
    counts: dict[str, int] = {}
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        bound: list[str] = []
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.append(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.append(node.name)
        elif isinstance(node, ast.alias):
            bound.append((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.extend(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.append(node.name)
        for name in bound:
            if name in names:
                counts[name] = counts.get(name, 0) + 1
        stack.extend(child_nodes(node))
    return counts
