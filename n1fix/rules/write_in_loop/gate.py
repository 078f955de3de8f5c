"""What write-in-loop's gate reads of a file with `ast`, before LibCST.

A superset of the calls its check examines (`analysis._writes_in`,
`model_writes._calls_in`): a call in a `for` loop's own body, not inside a nested loop,
`while` or function (each loop's body is examined on its own), and of those only:

- `.execute(stmt, ...)`: a write only as a SQLAlchemy `insert` / `update` / `delete`
  the file's imports name (`write_shape.recognize_write`; Django's dialect reads no
  statement), so only in a file that names `sqlalchemy` or imports relatively (a
  module of SQLAlchemy's own package);
- `.delete(obj)`, `.merge(obj)`, `.refresh(obj, ...)` on a receiver whose last name says
  `session` (`analysis._session_call`, `_session_refresh`);
- a model's write (`ctx.orm.model_write`): `.create(...)` and its kin on a manager of a
  class-like name, `.update(...)` / `.delete()` on a queryset chain, and `.save()` /
  `.delete()` on the loop's item, where the item is the loop's one target name and its
  rows may have a model (`item_facts.item_model`: a query a dialect may read, awaited
  or not, a name the function binds to one or annotates, an attribute of a name).
"""

from __future__ import annotations

import ast
import re

from n1fix.analysis.ast_rows import may_be_query
from n1fix.cst.astwalk import ast_dotted_name, child_nodes, class_like, nodes_of

WRITE_TEXT = re.compile(
    r"\.\s*a?(?:execute|delete|merge|refresh|create|save|update|get_or_create"
    r"|update_or_create)\s*\("
)
_SESSION_CALLS = {"delete", "merge", "refresh"}
# Writes through a model's API (Django), with or without arguments; `update` only on a
# queryset chain (`.filter(...).update(...)`), not a dict's.
_MANAGER_WRITE_CALLS = {
    f"{prefix}{name}"
    for prefix in ("", "a")
    for name in ("create", "get_or_create", "update_or_create")
}
_ITEM_WRITE_CALLS = {"save", "asave", "delete", "adelete"}
_QUERYSET_WRITE_CALLS = {"update", "aupdate", "delete", "adelete"}
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_SCOPES = (*_FUNCTIONS, ast.Lambda, ast.ClassDef)


class _Loop:
    """The `for` loop whose own body a node is in: its item, when one name, and the
    function (or module) it is in, where that name's rows are looked for."""

    __slots__ = ("loop", "scope", "_item")

    def __init__(self, loop: ast.For | ast.AsyncFor, scope: ast.AST) -> None:
        self.loop, self.scope, self._item = loop, scope, None

    def item(self) -> str | None:
        """The item's name, when its rows may have a model (asked once)."""
        if self._item is None:
            target, rows = self.loop.target, self.loop.iter
            self._item = (
                target.id
                if isinstance(target, ast.Name) and _may_have_a_model(rows, self.scope)
                else ""
            )
        return self._item or None


def gate(tree: ast.Module, text: str) -> bool:
    """May a `for` loop's own body write per item as the check reads writes?"""
    if not WRITE_TEXT.search(text):
        return False
    imports_sqlalchemy = "sqlalchemy" in text or any(
        node.level for node in nodes_of(tree, ast.ImportFrom)
    )
    stack: list[tuple[ast.AST, _Loop | None, ast.AST]] = [(tree, None, tree)]
    while stack:
        node, loop, scope = stack.pop()
        if (
            loop is not None
            and isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and _may_write(node, loop, imports_sqlalchemy)
        ):
            return True
        if isinstance(node, _SCOPES):
            loop = None
            if isinstance(node, _FUNCTIONS):
                scope = node
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            own = _Loop(node, scope)
            stack.extend((child, own, scope) for child in node.body)
            stack.extend(
                (child, None, scope) for child in (node.target, node.iter, *node.orelse)
            )
            continue
        elif isinstance(node, ast.While):
            loop = None  # not examined: neither a loop of the check's nor its body
        stack.extend((child, loop, scope) for child in child_nodes(node))
    return False


def _may_write(call: ast.Call, loop: _Loop, imports_sqlalchemy: bool) -> bool:
    func: ast.Attribute = call.func
    attr, receiver = func.attr, func.value
    if attr == "execute":
        return bool(call.args) and imports_sqlalchemy
    if attr in _SESSION_CALLS and call.args and _names_a_session(receiver):
        return True
    if attr in _MANAGER_WRITE_CALLS:
        return isinstance(receiver, ast.Attribute) and class_like(receiver.value)
    if attr in _QUERYSET_WRITE_CALLS and _on_manager(receiver):
        return True
    return (
        attr in _ITEM_WRITE_CALLS
        and isinstance(receiver, ast.Name)
        and receiver.id == loop.item()
    )


def _names_a_session(receiver: ast.AST) -> bool:
    name = ast_dotted_name(receiver)
    return name is not None and "session" in name.rsplit(".", 1)[-1].lower()


def _on_manager(expr: ast.AST) -> bool:
    """`Model.objects.filter(...)`: a QuerySet chain the Django dialect reads starts at
    a manager of a class-like name."""
    if not isinstance(expr, ast.Call):
        return False
    while isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        expr = expr.func.value
    return isinstance(expr, ast.Attribute) and class_like(expr.value)


def _may_have_a_model(rows: ast.AST, scope: ast.AST) -> bool:
    """Rows `item_model` may find a model for: a query a dialect may read
    (`ast_rows.may_be_query`: `query_shape` reads no other call, so not
    `instance.items.all()`, whose owner's model is unknown), a relationship
    (`owner.rel`), or a name the function binds to such a query or annotates
    (`bindings`: its assignments, its parameters)."""
    if isinstance(rows, (ast.Call, ast.Await)):
        return may_be_query(rows)
    if isinstance(rows, ast.Attribute):
        return isinstance(rows.value, ast.Name)
    if not isinstance(rows, ast.Name):
        return False
    name = rows.id
    if isinstance(scope, _FUNCTIONS):
        arguments = scope.args
        for arg in (
            *arguments.posonlyargs,
            *arguments.args,
            *arguments.kwonlyargs,
            arguments.vararg,
            arguments.kwarg,
        ):
            if arg is not None and arg.arg == name and arg.annotation is not None:
                return True
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and may_be_query(node.value):
            if any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                return True
        elif (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == name
        ):
            return True
    return False
