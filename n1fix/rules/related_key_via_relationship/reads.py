"""The `owner.rel.key` reads the check may report, found with `ast` for the survey.

The check (`analysis.find`) reports `owner.rel.key` only where it finds the model of
`owner`, a plain name read inside a function (`_owner_model`):

- `self` in a method of a class that is itself a model (`ctx.model_for(cls.name)`), the
  method not a `staticmethod` / `classmethod`;
- any other name through `model_of_name` and its fallback: the item of a loop around
  the read, an annotated parameter or variable, or a name assigned a call (a query's
  row, `Model(...)`), all in the innermost function around the read (`owners.Owners`
  says which, and why).

A name bound only as an unannotated parameter (`request.event.pk` in a view), or not
bound in the function at all, has no model the check can find. A `self` read is kept
with its class's name, since only that model's relationships can match it; so is a
read on a name whose only model can be its callee's (`m = Member(...)`: `Member:`, also
under the name an `as` import gives it). A read after a statement that surely reads
`owner.rel` otherwise is left out: the check drops it (`earlier_reads`).
"""

from __future__ import annotations

import ast
from bisect import bisect_right

from n1fix.cst.astwalk import nodes_of, owner_scope
from n1fix.rules.related_key_via_relationship.earlier_reads import EarlierReads
from n1fix.rules.related_key_via_relationship.owners import Owners

_NOT_METHODS = {"staticmethod", "classmethod"}


def owned_key_reads(tree: ast.Module) -> set[str]:
    """`rel.key` for each `owner.rel.key` read whose owner may have a model the check
    finds, and `Class:rel.key` for `self.rel.key` in a method of `Class` (also under
    the imported name when the class's name is an import's `as` name, which
    `model_for` looks up first) or for `owner = Class(...)`."""
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
    owners: Owners | None = None
    earlier = EarlierReads()
    found: set[str] = set()
    for node in reads:
        pair = f"{node.value.attr}.{node.attr}"
        owner = node.value.value.id
        if owner != "self" and pair in found:
            continue  # kept already: no need to place this read
        function, method_of = scopes.around(node)
        if function is None:
            continue
        if owner != "self":
            if owners is None:
                owners = Owners(tree)
            any_model, callees = owners.model_names(node, function)
            if any_model:
                kept = {pair}  # (a model of any name: those of `callees` too)
            else:
                kept = {f"{model}:{pair}" for model in callees}
        elif method_of is not None and _is_method(function):
            kept = {f"{method_of.name}:{pair}"}
            if renamed is None:
                renamed = _import_renames(tree)
            if method_of.name in renamed:
                kept.add(f"{renamed[method_of.name]}:{pair}")
        else:
            continue
        if kept <= found:
            continue
        if earlier.read_before(node, function) and owner_scope(tree, node) is function:
            continue  # `owner.rel` surely read before: the row is loaded anyway
        found |= kept
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
        spans = self._spans
        for position in range(bisect_right(self._starts, at) - 1, -1, -1):
            _, end, scope = spans[position]
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


def _import_renames(tree: ast.Module) -> dict[str, str]:
    """`as` name -> the imported name's last part, for every import of the module."""
    return {
        alias.asname: alias.name.rsplit(".", 1)[-1]
        for node in nodes_of(tree, ast.Import, ast.ImportFrom)
        for alias in node.names
        if alias.asname
    }
