"""Small `ast` helpers for the survey, which reads every file of a project.

`child_nodes` is a faster `ast.iter_child_nodes`. Per node class, only the fields that can hold expressions or statements are read (not
`ctx`, operators or constants), with plain `getattr`: about twice as fast as the
standard library's generator, which dominates a cold scan otherwise.
"""

from __future__ import annotations

import ast
from typing import Callable, Iterator

_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)

_LEAVES = {
    "ctx",
    "op",
    "ops",
    "type_comment",
    "kind",
    "level",
    "conversion",
    "is_async",
    "simple",
    "value_kind",
}
_FIELDS: dict[type, tuple[str, ...]] = {}


def child_nodes(node: ast.AST) -> Iterator[ast.AST]:
    names = _FIELDS.get(type(node))
    if names is None:
        names = _FIELDS[type(node)] = tuple(
            n for n in type(node)._fields if n not in _LEAVES
        )
    for name in names:
        value = getattr(node, name, None)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, ast.AST):
                    yield item
        elif isinstance(value, ast.AST):
            yield value


# The last tree `nodes_of` indexed, and its nodes by class.
_INDEXED: tuple[ast.AST, dict[type, list[ast.AST]]] | None = None


def nodes_of(tree: ast.AST, *types: type) -> list[ast.AST]:
    """Every node of `tree` (itself included) whose class is one of `types` (exact
    classes; not `ctx` or operator nodes), in no particular order.

    The survey's gates each look for a few kinds of node in the same tree: one walk
    indexes it by class for all of them (the last tree asked about is kept, the survey
    reading one file at a time), where each `ast.walk` of its own cost a whole walk."""
    global _INDEXED
    if _INDEXED is None or _INDEXED[0] is not tree:
        _INDEXED = (tree, _by_class(tree))
    index = _INDEXED[1]
    if len(types) == 1:
        return index.get(types[0], [])
    return [node for kind in types for node in index.get(kind, ())]


def _by_class(tree: ast.AST) -> dict[type, list[ast.AST]]:
    index: dict[type, list[ast.AST]] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        kind = type(node)
        found = index.get(kind)
        if found is None:
            found = index[kind] = []
        found.append(node)
        names = _FIELDS.get(kind)
        if names is None:
            names = _FIELDS[kind] = tuple(n for n in kind._fields if n not in _LEAVES)
        for name in names:
            value = getattr(node, name, None)
            if isinstance(value, list):
                stack.extend(item for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST):
                stack.append(value)
    return index


_FOR_LOOPS = (ast.For, ast.AsyncFor)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def any_in_loop(tree: ast.AST, matches: Callable[[ast.AST], bool]) -> bool:
    """Does some node that runs once per item of a loop or comprehension `match`?

    The per-item parts are those `loop_frames.frames_of` reads as a frame: a `for`
    statement's body (not its iterable, target or `else`), and everything of a
    comprehension but its first iterable, which runs once, where the comprehension
    stands. A function or class defined inside a loop does not run per item."""
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, in_loop = stack.pop()
        if in_loop and matches(node):
            return True
        if isinstance(node, _NESTED_SCOPES):
            in_loop = False
        elif isinstance(node, _FOR_LOOPS):
            stack.extend((child, True) for child in node.body)
            stack.extend((child, in_loop) for child in (node.target, node.iter))
            stack.extend((child, in_loop) for child in node.orelse)
            continue
        elif isinstance(node, _COMPREHENSIONS):
            first = node.generators[0]
            stack.append((first.iter, in_loop))
            stack.extend(
                (child, True) for child in child_nodes(node) if child is not first
            )
            stack.append((first.target, True))
            stack.extend((test, True) for test in first.ifs)
            continue
        stack.extend((child, in_loop) for child in child_nodes(node))
    return False


def class_like(node: ast.AST) -> bool:
    """A class reference by its spelling: `Render`, `models.Render` (CapWords last part)."""
    name = (
        node.id
        if isinstance(node, ast.Name)
        else node.attr
        if isinstance(node, ast.Attribute)
        else ""
    )
    return name[:1].isupper() and not name.isupper()


def ast_dotted_name(node: ast.AST) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None (`chains.dotted_name` on LibCST nodes)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def called_name(func: ast.AST) -> str:
    """The last name of what a call calls: `f` for `f(...)` and `x.f(...)`, else ""."""
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def walk_own_body(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
) -> Iterator[ast.AST]:
    """The nodes of the function's own body, not those of nested functions, classes or lambdas."""
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        for child in child_nodes(node):
            if not isinstance(child, _NESTED_SCOPES):
                stack.append(child)


def function_spans(tree: ast.Module) -> list[tuple[int, int, str]]:
    """(first line, last line, qualified name) of every function and method of `tree`,
    classes and enclosing functions named in the qualified name (`Repo.get`)."""
    spans = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    spans.append((child.lineno, child.end_lineno or child.lineno, name))
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return spans
