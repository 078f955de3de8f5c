"""The `owner.rel.key` reads the check may report, found with `ast` for the survey.

The check (`analysis.find`) reports `owner.rel.key` only where it finds the model of
`owner`, a plain name read inside a function (`_owner_model`):

- `self` in a method of a class that is itself a model (`ctx.model_for(cls.name)`), the
  method not a `staticmethod` / `classmethod`;
- any other name through `model_of_name` and its fallback: a loop's or comprehension's
  target, an annotated parameter or variable, or a name assigned a call (a query's row,
  `Model(...)`), all in the innermost function around the read.

A name bound only as an unannotated parameter (`request.event.pk` in a view), or not
bound in the function at all, has no model the check can find. What is kept is a
superset: a name bound in one of those ways anywhere in the function counts, whatever
the loop or call. A `self` read is kept with its class's name, since only that model's
relationships can match it.
"""

from __future__ import annotations

import ast
from bisect import bisect_right

from n1fix.cst.astwalk import child_nodes, nodes_of

_NOT_METHODS = {"staticmethod", "classmethod"}


def owned_key_reads(tree: ast.Module) -> set[str]:
    """`rel.key` for each `owner.rel.key` read whose owner may have a model the check
    finds, and `Class:rel.key` for `self.rel.key` in a method of `Class` (also under
    the imported name when the class's name is an import's `as` name, which
    `model_for` looks up first)."""
    called = {id(call.func) for call in nodes_of(tree, ast.Call)}
    reads = [
        node
        for node in nodes_of(tree, ast.Attribute)
        if type(node.ctx) is ast.Load
        and type(node.value) is ast.Attribute
        and type(node.value.value) is ast.Name
        and id(node) not in called  # `owner.rel.key(...)` calls `key`: no column
    ]
    if not reads:
        return set()
    scopes = _Scopes(tree)
    renamed: dict[str, str] | None = None
    typed: dict[ast.AST, frozenset[str]] = {}
    found: set[str] = set()
    for node in reads:
        function, method_of = scopes.around(node)
        if function is None:
            continue
        pair = f"{node.value.attr}.{node.attr}"
        owner = node.value.value.id
        if owner != "self":
            names = typed.get(function)
            if names is None:
                names = typed[function] = _typed_names(function)
            if owner in names:
                found.add(pair)
        elif method_of is not None and _is_method(function):
            found.add(f"{method_of.name}:{pair}")
            if renamed is None:
                renamed = _import_renames(tree)
            if method_of.name in renamed:
                found.add(f"{renamed[method_of.name]}:{pair}")
    return found


class _Scopes:
    """The functions and classes of a module by where they stand in the text (their
    decorators included), for what the check's `ancestry` tells of a few nodes."""

    def __init__(self, tree: ast.Module) -> None:
        spans = []
        for node in nodes_of(tree, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            start = (node.lineno, node.col_offset)
            if node.decorator_list:
                first = node.decorator_list[0]
                start = min(start, (first.lineno, first.col_offset))
            spans.append((start, (node.end_lineno, node.end_col_offset), node))
        spans.sort(key=lambda span: span[0])
        self._starts = [span[0] for span in spans]
        self._spans = spans

    def around(self, node: ast.AST) -> tuple[ast.AST | None, ast.AST | None]:
        """The innermost function around `node`, and the innermost class around it
        when that class also encloses the function (else None)."""
        at = (node.lineno, node.col_offset)
        function, class_inside = None, False
        for _, end, scope in reversed(self._spans[: bisect_right(self._starts, at)]):
            if not at < end:
                continue  # a scope before the node, closed
            if isinstance(scope, ast.ClassDef):
                if function is not None:
                    return function, scope
                class_inside = True  # inside whatever function is found next
            elif function is None:
                function = scope
                if class_inside:
                    return function, None
        return function, None


def _is_method(function: ast.AST) -> bool:
    return not any(
        isinstance(d, ast.Name) and d.id in _NOT_METHODS
        for d in function.decorator_list
    )


def _typed_names(function: ast.AST) -> frozenset[str]:
    """Names the function may give a model: its annotated parameters, and the names
    its body binds as loop or comprehension targets, with an annotation, or to a call."""
    names: set[str] = set()
    args = function.args
    for arg in (
        *args.posonlyargs,
        *args.args,
        *args.kwonlyargs,
        *((args.vararg,) if args.vararg else ()),
        *((args.kwarg,) if args.kwarg else ()),
    ):
        if arg.annotation is not None:
            names.add(arg.arg)
    stack = list(child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension, ast.AnnAssign)):
            names.update(_stored(node.target))
        elif isinstance(node, ast.Assign) and isinstance(
            node.value, (ast.Call, ast.Await)
        ):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        stack.extend(child_nodes(node))
    return frozenset(names)


def _stored(target: ast.AST) -> list[str]:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


def _import_renames(tree: ast.Module) -> dict[str, str]:
    """`as` name -> the imported name's last part, for every import of the module."""
    return {
        alias.asname: alias.name.rsplit(".", 1)[-1]
        for node in nodes_of(tree, ast.Import, ast.ImportFrom)
        for alias in node.names
        if alias.asname
    }
