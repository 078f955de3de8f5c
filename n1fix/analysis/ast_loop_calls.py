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

`keyed_loop_callees` keeps only the calls the check can report: see its docstring.
"""

from __future__ import annotations

import ast

from n1fix.analysis.ast_query_keys import reads_any
from n1fix.cst.astwalk import below_any, index_of, nodes_of, per_item_ranges

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
    imported = _imported_last_names(tree)
    keys: set[str] = set()
    for node in below_any(tree, nodes_of(tree, *_LOOPS), nodes_of(tree, ast.Call)):
        func = node.func
        if isinstance(func, ast.Attribute):
            _add_keys(keys, _dotted_parts(func), func.attr, imported)
        elif isinstance(func, ast.Name):
            _add_keys(keys, None, func.id, imported)
    return keys


def keyed_loop_callees(tree: ast.Module) -> set[str]:
    """`loop_callees` narrowed to the calls query-in-loop's check can report.

    The check (`analysis.find`, `call_analysis.analyze_call`) reports a call only when
    - `callees.callee_of` resolves it: its function is a chain of names (`a.b.m`, not
      `f().m`), and one starting at `self`/`cls` is `self.m` inside a class, which
      resolves as `<module>.<that class>.m` (so `Owner.m` is kept, not `m`);
    - it has an argument for a key parameter, without `*args`/`**kwargs`
      (`_argument_for`), that reads a name varying per item: bound by a loop around the
      call, below the call's own function, class or lambda (`loop_frames.frames_of`:
      the loop's targets and whatever its body binds; here, any name bound anywhere in
      the loop, a superset). The call runs per item of that loop (`frames_of` has a
      frame for it), as `LoopRegions` reads it.
    """
    imported = _imported_last_names(tree)
    index = index_of(tree)
    number = index.number
    calls = [
        call
        for call in below_any(tree, nodes_of(tree, *_LOOPS), nodes_of(tree, ast.Call))
        if _may_take_a_key(call)
    ]
    if not calls:
        return set()
    calls.sort(key=lambda call: number[id(call)])
    bound_in: dict[int, set[str]] = {}  # a loop's id -> names bound in it
    keys: set[str] = set()
    for call, around in zip(calls, _containers_around(index, calls)):
        func = call.func
        parts = _dotted_parts(func) if isinstance(func, ast.Attribute) else None
        if parts is None and not isinstance(func, ast.Name):
            continue  # `f().m(...)`: no qualified name to resolve
        varying: set[str] = set()
        for loop in _per_item_loops(index, call, around):
            names = bound_in.get(id(loop))
            if names is None:
                names = bound_in[id(loop)] = _names_bound(index, loop)
            varying |= names
        if not varying or not _reads_any(call, varying):
            continue
        if parts is not None and parts[0] in ("self", "cls"):
            owner = next(
                (node for node in reversed(around) if isinstance(node, ast.ClassDef)),
                None,
            )
            if len(parts) == 2 and owner is not None:
                keys.add(f"{owner.name}.{parts[1]}")
            continue  # `self.a.m()`, or no class around: `callee_of` gives up
        last = func.attr if parts is not None else func.id
        _add_keys(keys, parts, last, imported)
    return keys


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_CONTAINERS = (*_SCOPES, *_LOOPS)


def loop_names(tree: ast.Module, node: ast.AST) -> set[str]:
    """Every name bound anywhere in the loops whose per-item part holds `node`, up to
    its own function, class or lambda: a superset of the names `loop_frames.frames_of`
    counts as varying around it (`Frame.varying`)."""
    index = index_of(tree)
    number, ends = index.number, index.ends
    at = number[id(node)]
    around = sorted(
        (
            container
            for kind in _CONTAINERS
            for container in index.by_class.get(kind, ())
            if number[id(container)] < at < ends[id(container)]
        ),
        key=lambda container: number[id(container)],
    )
    names: set[str] = set()
    for loop in _per_item_loops(index, node, around):
        names |= _names_bound(index, loop)
    return names


def names_bound_in(tree: ast.Module, loop: ast.AST) -> set[str]:
    """Every name bound anywhere in `loop` of `tree` (`_names_bound`)."""
    return _names_bound(index_of(tree), loop)


def _may_take_a_key(call: ast.Call) -> bool:
    """Has the call an argument, none of them `*x` or `**x` (`_argument_for` reads no
    argument of such a call)?"""
    if not call.args and not call.keywords:
        return False
    return not any(isinstance(arg, ast.Starred) for arg in call.args) and all(
        keyword.arg is not None for keyword in call.keywords
    )


def _containers_around(index, calls: list[ast.Call]) -> list[list[ast.AST]]:
    """For each call (in the index's order), the functions, classes, lambdas, loops and
    comprehensions around it, outermost first: one sweep over both lists."""
    number, ends = index.number, index.ends
    containers = sorted(
        (node for kind in _CONTAINERS for node in index.by_class.get(kind, ())),
        key=lambda node: number[id(node)],
    )
    around: list[list[ast.AST]] = []
    open_: list[ast.AST] = []
    next_container = 0
    for call in calls:
        at = number[id(call)]
        while (
            next_container < len(containers)
            and number[id(containers[next_container])] < at
        ):
            container = containers[next_container]
            next_container += 1
            while open_ and ends[id(open_[-1])] <= number[id(container)]:
                open_.pop()
            open_.append(container)
        while open_ and ends[id(open_[-1])] <= at:
            open_.pop()
        around.append(list(open_))
    return around


def _per_item_loops(index, call: ast.Call, around: list[ast.AST]) -> list[ast.AST]:
    """The loops of `around` whose per-item part holds the call (a `for`'s body, all of
    a comprehension but its first iterable), up to the call's own function, class or
    lambda: `frames_of`'s frames, as `LoopRegions` reads them."""
    at = index.number[id(call)]
    loops: list[ast.AST] = []
    for node in reversed(around):
        if isinstance(node, _SCOPES):
            break
        if any(start <= at < end for start, end in per_item_ranges(index, node)):
            loops.append(node)
    return loops


_BINDERS = (
    ast.Name,
    ast.alias,
    ast.ExceptHandler,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.MatchAs,
    ast.MatchStar,
    ast.MatchMapping,
)


def _names_bound(index, loop: ast.AST) -> set[str]:
    """Every name bound anywhere in `loop` (its targets, its body's assignments, with-as,
    walrus, imports, `except ... as`, `match` captures, nested definitions): a superset
    of `loop_frames.Frame.varying`."""
    names: set[str] = set()
    start, end = index.number[id(loop)], index.ends[id(loop)]
    for kind in _BINDERS:
        nodes = index.between(start, end, kind)
        if kind is ast.Name:
            names.update(node.id for node in nodes if type(node.ctx) is not ast.Load)
        elif kind is ast.alias:
            names.update(node.asname or node.name.partition(".")[0] for node in nodes)
        elif kind is ast.MatchMapping:
            names.update(node.rest for node in nodes if node.rest is not None)
        else:
            names.update(node.name for node in nodes if node.name is not None)
    return names


def _reads_any(call: ast.Call, names: set[str]) -> bool:
    """Does an argument of the call refer to one of `names` (as `syntax.names_read`
    reads an argument: lambda parameters too, which LibCST spells as names)?"""
    values = [*call.args, *(keyword.value for keyword in call.keywords)]
    for value in values:
        while type(value) is ast.Attribute:  # `item.id`: the common case, no walk
            value = value.value
        if type(value) is ast.Name:
            if value.id in names:
                return True
            continue
        if type(value) is ast.Constant:
            continue
        if reads_any(value, names):
            return True
    return False


def _imported_last_names(tree: ast.Module) -> dict[str, set[str]]:
    """Bound name -> last names of what it imports."""
    imported: dict[str, set[str]] = {}
    for node in nodes_of(tree, ast.Import, ast.ImportFrom):
        for alias in node.names:
            bound = alias.asname or alias.name.partition(".")[0]
            imported.setdefault(bound, set()).add(alias.name.rpartition(".")[2])
    return imported


def _add_keys(
    keys: set[str],
    parts: list[str] | None,
    last: str,
    imported: dict[str, set[str]],
) -> None:
    """The keys of one call `parts` (dotted, None when not a chain of names) ending in
    `last`."""
    if parts is None or parts[0] in ("self", "cls") and len(parts) == 2:
        keys.add(last)  # the qualifier is the module or the class: any
        for original in imported.get(last, ()):
            keys.add(original)  # `from m import g as f`: `f()` resolves as `m.g`
        return
    keys.add(f"{parts[-2]}.{last}")
    if len(parts) == 2:
        for original in imported.get(parts[0], ()):
            keys.add(f"{original}.{last}")


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
