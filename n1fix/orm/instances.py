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

from n1fix.cst.astwalk import nodes_of


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
    which only ever makes the answer more cautious). Read off the survey's node index
    of the tree (every node a walk of it reaches), class by class."""
    bound: list[str] = [
        node.id
        for node in nodes_of(tree, ast.Name)
        if node.id in names and isinstance(node.ctx, (ast.Store, ast.Del))
    ]
    bound.extend(
        node.name
        for node in nodes_of(
            tree, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler
        )
        if node.name
    )
    bound.extend(
        (node.asname or node.name).split(".")[0] for node in nodes_of(tree, ast.alias)
    )
    for node in nodes_of(tree, ast.Global, ast.Nonlocal):
        bound.extend(node.names)
    counts: dict[str, int] = {}
    for name in bound:
        if name in names:
            counts[name] = counts.get(name, 0) + 1
    return counts
