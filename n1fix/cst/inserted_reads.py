"""Are the reads of a function inserted into a module all bound? Asked of a small excerpt.

A companion edit (`companions.apply_companion`) inserts one function into a module-level
class or the module, and may add `from x import y` lines. `new_unbound_reads(before,
after)` checks any rewrite by LibCST's scope analysis of both whole modules: about a
second for one DAL module of a thousand lines, asked for every batch method a scan plans.
For such an edit it returns None whenever no read *inside the inserted function* is
unbound, and that can be asked of a far smaller module:

- a read that was already in the module is no less bound after the edit: the edit only
  adds bindings (the imports, the function's name in its class or module, a name the
  function declares `global`), and more bindings around a read only turn it from
  undefined to bound; a read of a function's local before its assignment is "before
  assignment" whatever the outer scopes bind (`name_binding._unbound_kind`). So no count
  that `new_unbound_reads` compares grows, unless a read inside the new function is
  unbound.
- a read inside the new function sees its own scopes and, in order, the bindings of the
  module and (a decorator, a default value) of its class: the statements of those bodies
  and the `global` declarations of functions. The body of any other function binds
  nothing outside itself unless it declares a name `global`. So in the module with every
  other function's body replaced by `...` (kept whole if the module says `global`
  anywhere), each such read is bound exactly when it is in the whole module.

When a read inside the function is unbound, the caller asks `new_unbound_reads` of the
whole modules, for its exact answer and message; so it does when the module reads at
module level a name the edit binds there, since only `before` may read it unbound (the
excerpt has every other module-level read, bound or not, as the whole module has).
"""

from __future__ import annotations

import re
from collections.abc import Collection

import libcst as cst

from n1fix.cst.name_binding import ScopeReads
from n1fix.cst.parsing import parse_module

_GLOBAL = re.compile(r"\bglobal\b")


def inserted_reads_bound(
    before_text: str,
    after: cst.Module,
    inserted: cst.FunctionDef,
    imported: Collection[str],
) -> bool:
    """True when every read inside `inserted` (a statement of `after`'s body, or of a
    module-level class's body) is bound; False when one is not, when `inserted` is not
    found there, or when the module reads at module level a name the edit binds there
    (`imported`, the names of the `from` imports it added)."""
    path = _path_to(after, inserted)
    if path is None:
        return False
    bound_by_edit = set(imported) | {
        name.name.value
        for node in _below(inserted)
        if isinstance(node, cst.Global)
        for name in node.names
    }
    if len(path) == 1:
        bound_by_edit.add(inserted.name.value)
    keep_bodies = _GLOBAL.search(before_text) is not None
    excerpt = parse_module(
        after.with_changes(body=_without_bodies(after.body, inserted, keep_bodies)).code
    )
    found = excerpt.body[path[0]]
    if len(path) == 2:
        found = found.body.body[path[1]]
    reads = ScopeReads(excerpt)
    if reads.module_level_names() & bound_by_edit:
        return False
    inside = {id(node) for node in _below(found)}
    return not any(id(node) in inside for _, node, _ in reads.unbound())


def _path_to(module: cst.Module, node: cst.CSTNode) -> tuple[int, ...] | None:
    for i, statement in enumerate(module.body):
        if statement is node:
            return (i,)
        if isinstance(statement, cst.ClassDef) and isinstance(
            statement.body, cst.IndentedBlock
        ):
            for j, member in enumerate(statement.body.body):
                if member is node:
                    return (i, j)
    return None


def _without_bodies(
    statements, inserted: cst.FunctionDef, keep_bodies: bool, in_owner: bool = False
) -> list[cst.BaseStatement]:
    """`statements` with the body of each function in them (and in their classes) but
    `inserted` replaced by `...`. Without `keep_bodies`, less goes too: the body of a
    class `inserted` is not in (read and bound in that class's own scope, which no read
    of `inserted` sees), and a method beside `inserted` becomes `def name(): ...` (its
    decorators, parameters and annotations are read in the class's scope, where only
    `inserted`'s decorators and defaults read: what they bind there is the method's
    name alone, unless one holds a `:=`)."""
    result = []
    for statement in statements:
        if isinstance(statement, cst.FunctionDef) and statement is not inserted:
            if not keep_bodies:
                statement = (
                    _bare(statement)
                    if in_owner and not _walrus_in_signature(statement)
                    else statement.with_changes(body=_stub())
                )
        elif isinstance(statement, cst.ClassDef) and isinstance(
            statement.body, cst.IndentedBlock
        ):
            owner = any(member is inserted for member in statement.body.body)
            if keep_bodies or owner:
                body = _without_bodies(
                    statement.body.body, inserted, keep_bodies, owner
                )
                statement = statement.with_changes(
                    body=statement.body.with_changes(body=body)
                )
            else:
                statement = statement.with_changes(body=_stub())
        result.append(statement)
    return result


def _bare(function: cst.FunctionDef) -> cst.FunctionDef:
    return function.with_changes(
        decorators=[], params=cst.Parameters(), returns=None, body=_stub()
    )


def _walrus_in_signature(function: cst.FunctionDef) -> bool:
    parts = [*function.decorators, function.params]
    if function.returns is not None:
        parts.append(function.returns)
    return any(
        isinstance(node, cst.NamedExpr) for part in parts for node in _below(part)
    )


def _stub() -> cst.IndentedBlock:
    return cst.IndentedBlock(
        body=[cst.SimpleStatementLine(body=[cst.Expr(cst.Ellipsis())])]
    )


def _below(node: cst.CSTNode):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)
