"""Small `ast` helpers for the survey, which reads every file of a project.

`child_nodes` is a faster `ast.iter_child_nodes`. Per node class, only the fields that can hold expressions or statements are read (not
`ctx`, operators or constants), with plain `getattr`: about twice as fast as the
standard library's generator, which dominates a cold scan otherwise.
"""

from __future__ import annotations

import ast
from typing import Iterator

_LEAVES = {"ctx", "op", "ops", "type_comment", "kind", "level", "conversion", "is_async", "simple", "value_kind"}
_FIELDS: dict[type, tuple[str, ...]] = {}


def child_nodes(node: ast.AST) -> Iterator[ast.AST]:
    names = _FIELDS.get(type(node))
    if names is None:
        names = _FIELDS[type(node)] = tuple(n for n in type(node)._fields if n not in _LEAVES)
    for name in names:
        value = getattr(node, name, None)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, ast.AST):
                    yield item
        elif isinstance(value, ast.AST):
            yield value


def class_like(node: ast.AST) -> bool:
    """A class reference by its spelling: `Render`, `models.Render` (CapWords last part)."""
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return name[:1].isupper() and not name.isupper()
