"""Whether one `name = ...` line of a loop body is the only thing that binds the name.

    for package_id in ids:
        query = session.query(Summary).filter(Summary.total > 0)
        for query in [session.query(Summary)]:
            pass
        out[package_id] = query.filter_by(id=package_id).one_or_none()

A lookup written through a variable (`query.filter_by(...)`, `session.execute(stmt)`)
is read as the value of its `=` line only when nothing else in the loop body can have
rebound the name in between: no other assignment of any kind (`for` target, `with ...
as`, `except ... as`, walrus, augmented or annotated assignment, import, `def`/`class`),
no `del`, and no function of the module declaring it `global` or `nonlocal` (a function
called in the loop, or defined in it, could then rebind it).
"""

from __future__ import annotations

import functools

import libcst as cst

from n1fix.cst.syntax import names_assigned, target_names, walk_kinds


def only_binding(
    name: str, body: cst.IndentedBlock, binding: cst.SimpleStatementLine, module
) -> bool:
    """`binding` (a statement of `body`) binds `name`, and nothing else in `body`, in
    the value it assigns, or anywhere through `global`/`nonlocal`, does."""
    if name in _declared_shared(module):
        return False
    if name in names_assigned(binding.body[0].value):
        return False  # `query = (query := ...)`
    for statement in body.body:
        if statement is binding:
            continue
        if name in _bound_by(statement) or name in _deleted(statement):
            return False
    return True


def _bound_by(statement: cst.CSTNode) -> set[str]:
    """Names a statement binds, its own header included (`names_assigned` reads only
    what is below it: a `for` statement's target, a `def`'s name are its own)."""
    bound = set(names_assigned(statement))
    if isinstance(statement, cst.For):
        bound |= target_names(statement.target)
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        bound.add(statement.name.value)
    return bound


_DEL = frozenset({cst.Del})
_SHARED = frozenset({cst.Global, cst.Nonlocal})


def _deleted(statement: cst.CSTNode) -> set[str]:
    found: set[str] = set()
    for node in walk_kinds(statement, _DEL):
        if isinstance(node, cst.Del):
            found |= target_names(node.target)
    return found


@functools.lru_cache(maxsize=64)
def _declared_shared(module: cst.CSTNode) -> frozenset[str]:
    """Names any function or class of `module` declares `global` or `nonlocal`."""
    return frozenset(
        alias.name.value
        for node in walk_kinds(module, _SHARED, into_scopes=True)
        for alias in node.names
    )
