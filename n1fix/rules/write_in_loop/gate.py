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
  `model_writes._analyze` reports a manager's or a queryset's write only when it reads
  a name of the loop's frame (its target, what its body binds: here any name bound in
  the loop) and stands in no `return` of the loop's body (the loop ends at the first
  write); a queryset's only when a predicate with a column reads one, which on a chain
  only the Django dialect reads is a `filter` / `get` keyword that may compare one
  column (`ast_query_keys.django_key_values`): `filter(pk__in=chunk).delete()` per chunk
  is a batch already.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_right

from n1fix.analysis.ast_loop_calls import names_bound_in
from n1fix.analysis.ast_query_keys import chain_below, key_reads_any, reads_any
from n1fix.analysis.ast_rows import may_be_query
from n1fix.cst.astwalk import (
    NodeIndex,
    ast_dotted_name,
    child_nodes,
    class_like,
    index_of,
    nodes_of,
    owner_scope,
)

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
# Every method name a write above may call.
_WRITE_NAMES = frozenset(
    {"execute", *_SESSION_CALLS, *_MANAGER_WRITE_CALLS, *_ITEM_WRITE_CALLS}
    | _QUERYSET_WRITE_CALLS
)
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
    return _gate_answer(tree, text) is not None


def relation_rows(tree: ast.Module, text: str) -> list[str] | None:
    """When the gate lets the file through only for an item's `.save()` / `.delete()`
    in loops over `owner.rel`, those relationship names (sorted); else None.

    `item_model` finds the items' model there only through the owner's model's
    relationship of that name (`_relationship_of`): with no model of the project
    holding one, the check reports nothing (`WriteInLoop.project_turns_away`)."""
    answer = _gate_answer(tree, text)
    return answer if isinstance(answer, list) else None


# The last tree the gate read and its answer: the gate and the survey read it in turn.
_LAST: tuple[ast.AST, bool | list[str] | None] | None = None


def _gate_answer(tree: ast.Module, text: str) -> bool | list[str] | None:
    global _LAST
    if _LAST is None or _LAST[0] is not tree:
        _LAST = (tree, _answer(tree, text))
    return _LAST[1]


def _answer(tree: ast.Module, text: str) -> bool | list[str] | None:
    """True when a loop's own body may write per item, the relationship names of
    `relation_rows` when only items of `owner.rel` may be written, None when nothing
    may be.

    Read off the survey's node index: the calls of a write's name first (most files
    have none, or none that can be a write whatever loop holds them), then, for those
    left, the loop whose own body holds each (`_OwnBodies`)."""
    if not WRITE_TEXT.search(text):
        return None
    imports_sqlalchemy: bool | None = None
    # (call, a write in any loop's body), else an item's `.save()` / `.delete()`.
    candidates: list[tuple[ast.Call, bool]] = []
    for call in nodes_of(tree, ast.Call):
        func = call.func
        if type(func) is not ast.Attribute or func.attr not in _WRITE_NAMES:
            continue
        if func.attr == "execute":
            if not call.args:
                continue
            if imports_sqlalchemy is None:
                imports_sqlalchemy = "sqlalchemy" in text or any(
                    node.level for node in nodes_of(tree, ast.ImportFrom)
                )
            if imports_sqlalchemy:
                candidates.append((call, True))
        elif _may_write_in_any_loop(call):
            candidates.append((call, True))
        elif func.attr in _ITEM_WRITE_CALLS and isinstance(func.value, ast.Name):
            candidates.append((call, False))
    if not candidates:
        return None
    bodies = _OwnBodies(tree)
    relations: set[str] = set()
    for call, always in candidates:
        loop = bodies.loop_of(call)
        if loop is None:
            continue
        if always:
            if _model_api_write(call) and not _may_vary(tree, call, loop.loop):
                continue
            return True
        if call.func.value.id == loop.item():
            rows = loop.loop.iter
            if not isinstance(rows, ast.Attribute):
                return True
            relations.add(rows.attr)  # `owner.rel` (`_may_have_a_model`)
    return sorted(relations) or None


class _OwnBodies:
    """Which `for` loop's own body each node of a tree is in, as the check examines
    loops: a `for` statement's body, not its target, iterable or `else`, nor what a
    nested `for`, a `while`, a function, class or lambda holds (each read on its own,
    or not at all). Each such part is a range of the node index's numbers; the ranges
    nest, and the innermost one around a node decides."""

    def __init__(self, tree: ast.Module) -> None:
        index = index_of(tree)
        number, ends = index.number, index.ends
        self._tree, self._index, self._loops = tree, index, {}
        # (start, end, rank, loop): a node's subtree ranks 1, a loop's body 0.
        regions: list[tuple[int, int, int, ast.AST | None]] = []
        for kind in _SCOPES:
            for scope in index.by_class.get(kind, ()):
                regions.append((number[id(scope)], ends[id(scope)], 1, None))
        for node in index.by_class.get(ast.While, ()):
            regions.append((number[id(node)], _subtree_end(index, node), 1, None))
        for kind in (ast.For, ast.AsyncFor):
            for loop in index.by_class.get(kind, ()):
                start, end = number[id(loop)], ends[id(loop)]
                body = number[id(loop.body[0])]
                body_end = number[id(loop.orelse[0])] if loop.orelse else end
                regions.append((start, end, 1, None))  # target, iterable, `else`
                regions.append((body, body_end, 0, loop))
        # Innermost last among regions starting at one number: the shorter one, and
        # of a body and the one statement filling it, the statement.
        regions.sort(key=lambda region: (region[0], -region[1], region[2]))
        self._starts = [region[0] for region in regions]
        self._regions = regions

    def loop_of(self, node: ast.AST) -> _Loop | None:
        """The loop whose own body holds `node`, else None."""
        at = self._index.number[id(node)]
        regions = self._regions
        for position in range(bisect_right(self._starts, at) - 1, -1, -1):
            _, end, _, loop = regions[position]
            if at < end:
                return None if loop is None else self._loop(loop)
        return None

    def _loop(self, loop: ast.AST) -> _Loop:
        found = self._loops.get(id(loop))
        if found is None:
            scope = owner_scope(self._tree, loop)
            while isinstance(scope, (ast.ClassDef, ast.Lambda)):
                scope = owner_scope(self._tree, scope)
            found = self._loops[id(loop)] = _Loop(loop, scope)
        return found


def _subtree_end(index: NodeIndex, node: ast.AST) -> int:
    """The number after the last node of `node`'s subtree: its last child's, followed
    down to a container (whose end the index keeps) or a leaf."""
    ends, number = index.ends, index.number
    while id(node) not in ends:
        last = None
        for last in child_nodes(node):
            pass
        if last is None:
            return number[id(node)] + 1
        node = last
    return ends[id(node)]


def _may_write_in_any_loop(call: ast.Call) -> bool:
    """A write whatever loop holds the call: `.delete(obj)` / `.merge(obj)` /
    `.refresh(obj)` on a session, a manager's `.create(...)` and its kin, a queryset
    chain's `.update(...)` / `.delete()` (not `.execute`, nor an item's `.save()`)."""
    func: ast.Attribute = call.func
    attr, receiver = func.attr, func.value
    if attr in _SESSION_CALLS and call.args and _names_a_session(receiver):
        return True
    if attr in _MANAGER_WRITE_CALLS:
        return isinstance(receiver, ast.Attribute) and class_like(receiver.value)
    return attr in _QUERYSET_WRITE_CALLS and _on_manager(receiver)


def _model_api_write(call: ast.Call) -> bool:
    """A manager's `.create(...)` and its kin, a queryset chain's `.update(...)` /
    `.delete()`: the writes `model_writes` reads (not a session's)."""
    return call.func.attr in _MANAGER_WRITE_CALLS or (
        call.func.attr in _QUERYSET_WRITE_CALLS and _on_manager(call.func.value)
    )


def _may_vary(tree: ast.Module, call: ast.Call, loop: ast.AST) -> bool:
    """May `model_writes._analyze` report the model-API write `call` of the own body
    of `loop` (module docstring): not in a `return`, reading a name bound in the loop,
    for a queryset's write in a predicate that may have a column."""
    index = index_of(tree)
    at = index.number[id(call)]
    start, end = index.number[id(loop)], index.ends[id(loop)]
    for statement in index.between(start, end, ast.Return):
        if index.number[id(statement)] < at < _subtree_end(index, statement):
            return False
    names = names_bound_in(tree, loop)
    if call.func.attr in _MANAGER_WRITE_CALLS:
        return reads_any(call, names)
    # (the write itself, `.update(...)` / `.delete()`, is no key of the chain below it)
    return key_reads_any(chain_below(call), names)


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
