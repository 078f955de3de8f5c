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

from n1fix.cst.astwalk import child_nodes, nodes_of

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_NOT_METHODS = {"staticmethod", "classmethod"}


def owned_key_reads(tree: ast.Module) -> set[str]:
    """`rel.key` for each `owner.rel.key` read whose owner may have a model the check
    finds, and `Class:rel.key` for `self.rel.key` in a method of `Class` (also under
    the imported name when the class's name is an import's `as` name, which
    `model_for` looks up first)."""
    renamed = _import_renames(tree)
    found: set[str] = set()
    typed: dict[ast.AST, frozenset[str]] = {}
    # (node, innermost function, innermost class, that class when it encloses the
    # function: `_owner_model` takes `self` for a model only then)
    stack: list[tuple[ast.AST, ast.AST | None, ast.AST | None, ast.AST | None]] = [
        (tree, None, None, None)
    ]
    while stack:
        node, function, cls, method_of = stack.pop()
        if isinstance(node, ast.Attribute) and function is not None:
            pair = _read_pair(node)
            if pair is not None:
                owner = node.value.value.id
                if owner != "self":
                    names = typed.get(function)
                    if names is None:
                        names = typed[function] = _typed_names(function)
                    if owner in names:
                        found.add(pair)
                elif method_of is not None and _is_method(function):
                    found.add(f"{method_of.name}:{pair}")
                    if method_of.name in renamed:
                        found.add(f"{renamed[method_of.name]}:{pair}")
        if isinstance(node, _FUNCTIONS):
            function, method_of = node, cls
        elif isinstance(node, ast.ClassDef):
            cls, method_of = node, None
        for child in _read_children(node):
            stack.append((child, function, cls, method_of))
    return found


def _read_children(node: ast.AST):
    """The children of `node`, but a call's own attribute: `owner.rel.key(...)` calls
    `key`, it reads no column."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        yield node.func.value
        yield from node.args
        yield from node.keywords
        return
    yield from child_nodes(node)


def _read_pair(node: ast.Attribute) -> str | None:
    """`rel.key` of a read `name.rel.key` (not assigned or deleted)."""
    inner = node.value
    if (
        isinstance(node.ctx, ast.Load)
        and isinstance(inner, ast.Attribute)
        and isinstance(inner.value, ast.Name)
    ):
        return f"{inner.attr}.{node.attr}"
    return None


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
