"""Which indexed query functions a call in a loop may resolve to, read with `ast`.

query-in-loop's project gate asks "may this file call an indexed query function in a
loop?". `analysis.callees.callee_of` resolves a call `a.b.m(...)` by its qualified name
(the module's, an import's or the class's in front): exactly, by a dotted suffix, or
below a package it re-exports. Every way, the function found has the last name `m` and,
among the names before it, the qualified name's second-to-last: `b` here, the imported
name's last for `head.m(...)` when `head` is imported (`from app.models import Users`:
`Users`). So each call in a loop is kept as `X.m` (a function named `m` below an `X`),
or as `m` alone when `X` is not known from the file (`self.m()`, a bare `m()`, whose
module or class is the qualifier, a call on a call). No LibCST here.
"""

from __future__ import annotations

import ast

from n1fix.cst.astwalk import below_any, nodes_of

_LOOPS = (
    ast.For,
    ast.AsyncFor,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def loop_callees(tree: ast.Module) -> set[str]:
    """`X.m` or `m` for every call anywhere inside a loop or comprehension (header,
    body, nested functions), as `orm.functions.loop_called_names` finds them."""
    imported: dict[str, set[str]] = {}  # bound name -> last names of what it imports
    for node in nodes_of(tree, ast.Import, ast.ImportFrom):
        for alias in node.names:
            bound = alias.asname or alias.name.partition(".")[0]
            imported.setdefault(bound, set()).add(alias.name.rpartition(".")[2])
    called: list[tuple[list[str] | None, str]] = []  # (dotted parts, last name)
    for node in below_any(tree, nodes_of(tree, *_LOOPS), nodes_of(tree, ast.Call)):
        func = node.func
        if isinstance(func, ast.Attribute):
            called.append((_dotted_parts(func), func.attr))
        elif isinstance(func, ast.Name):
            called.append((None, func.id))
    keys: set[str] = set()
    for parts, last in called:
        if parts is None or parts[0] in ("self", "cls") and len(parts) == 2:
            keys.add(last)  # the qualifier is the module or the class: any
            for original in imported.get(last, ()):
                keys.add(original)  # `from m import g as f`: `f()` resolves as `m.g`
            continue
        keys.add(f"{parts[-2]}.{last}")
        if len(parts) == 2:
            for original in imported.get(parts[0], ()):
                keys.add(f"{original}.{last}")
    return keys


# The last function index asked about: its functions' names before the last, by last.
_INDEXED: tuple[object, dict[str, set[str]]] | None = None


def resolvable(keys, functions) -> bool:
    """May one of the `keys` resolve to a function of the index `functions`?"""
    global _INDEXED
    if _INDEXED is None or _INDEXED[0] is not functions:
        by_last: dict[str, set[str]] = {}
        for name in functions.functions:
            segments = name.split(".")
            by_last.setdefault(segments[-1], set()).update(segments[:-1])
        _INDEXED = (functions, by_last)
    by_last = _INDEXED[1]
    for key in keys:
        qualifier, _, last = key.rpartition(".")
        before = by_last.get(last)
        if before is not None and (not qualifier or qualifier in before):
            return True
    return False


def _dotted_parts(node: ast.AST) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    parts.reverse()
    return parts
