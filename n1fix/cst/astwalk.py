"""Small `ast` helpers for the survey, which reads every file of a project.

`child_nodes` is a faster `ast.iter_child_nodes`. Per node class, only the fields that can hold expressions or statements are read (not
`ctx`, operators or constants), with plain `getattr`: about twice as fast as the
standard library's generator, which dominates a cold scan otherwise.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left, bisect_right
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
# Field types of the grammar (`ast`'s ASDL) whose values are never nodes.
_PLAIN_TYPES = frozenset({"identifier", "string", "constant", "int"})
_SIGNATURE = re.compile(r"\w+\((.*)\)")
_FIELDS: dict[type, tuple[str, ...]] = {}


def _node_fields(kind: type) -> tuple[str, ...]:
    """The fields of `kind` that may hold nodes, in order: not `_LEAVES`, and not of a
    plain type (a name, a string, a constant, a number) by the grammar line Python
    gives as each node class's docstring (`Name(identifier id, expr_context ctx)`).
    Reading those found nothing but cost a `getattr` and a test per node; a class whose
    docstring does not read as such a line keeps all its fields."""
    declared: dict[str, str] = {}
    match = _SIGNATURE.fullmatch((kind.__doc__ or "").strip())
    if match:
        for part in match.group(1).split(","):
            words = part.split()
            if len(words) == 2:
                declared[words[1]] = words[0].rstrip("*?")
    return tuple(
        name
        for name in kind._fields
        if name not in _LEAVES and declared.get(name) not in _PLAIN_TYPES
    )


def _fields_of(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = _node_fields(kind)
    return names


def child_nodes(node: ast.AST) -> Iterator[ast.AST]:
    names = _FIELDS.get(type(node))
    if names is None:
        names = _fields_of(type(node))
    for name in names:
        value = getattr(node, name, None)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, ast.AST):
                    yield item
        elif isinstance(value, ast.AST):
            yield value


# Nodes whose subtree `nodes_within` and `LoopRegions` ask about: where each ends in
# the index's order is kept for these only.
_CONTAINERS = frozenset(
    {
        ast.Module,
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.ClassDef,
        ast.Lambda,
        ast.For,
        ast.AsyncFor,
        ast.ListComp,
        ast.SetComp,
        ast.DictComp,
        ast.GeneratorExp,
    }
)


class NodeIndex:
    """Every node of a tree by class, in pre-order (a node, then its children field by
    field: statements in the order written, a function's body before its decorators), with each node's number in that order, and where the
    subtree of each container (module, function, class, lambda, loop, comprehension)
    ends: a node lies in a container's subtree when its number falls in that range."""

    def __init__(self, tree: ast.AST) -> None:
        by_class: dict[type, list[ast.AST]] = {}
        number: dict[int, int] = {}
        ends: dict[int, int] = {}
        # Per class: how to add a node of it, whether it is a container, its node
        # fields last first (the stack pops them first first). One look-up per node.
        kinds: dict[type, tuple] = {}
        stack: list = [tree]
        push, pop, extend = stack.append, stack.pop, stack.extend
        count = 0
        while stack:
            node = pop()
            kind = type(node)
            spec = kinds.get(kind)
            if spec is None:
                if kind is tuple:  # `(container,)`, pushed before its children
                    ends[id(node[0])] = count
                    continue
                if not isinstance(node, ast.AST):
                    continue  # None: a dict's `**` key, a keyword-only argument's default
                found: list[ast.AST] = []
                by_class[kind] = found
                spec = kinds[kind] = (
                    found.append,
                    kind in _CONTAINERS,
                    tuple(reversed(_fields_of(kind))),
                )
            add, container, names = spec
            add(node)
            number[id(node)] = count
            count += 1
            if container:
                push((node,))
            for name in names:
                value = getattr(node, name, None)
                if type(value) is list:
                    extend(reversed(value))
                elif value is not None:
                    push(value)
        self.by_class = by_class
        self.number = number
        self.ends = ends
        self._numbers_by_class: dict[type, list[int]] = {}
        self.loops: LoopRegions | None = None
        self.scopes: ScopeRegions | None = None
        self.own_bodies: dict[int, list[ast.AST]] = {}

    def numbers_of(self, kind: type) -> list[int]:
        """The numbers of the nodes of class `kind`, ascending (counted when first asked:
        most classes never are)."""
        numbers = self._numbers_by_class.get(kind)
        if numbers is None:
            number = self.number
            numbers = self._numbers_by_class[kind] = [
                number[id(node)] for node in self.by_class.get(kind, ())
            ]
        return numbers

    def between(self, start: int, end: int, kind: type) -> list[ast.AST]:
        """The nodes of class `kind` numbered from `start` up to `end` (not included),
        in pre-order."""
        nodes = self.by_class.get(kind)
        if not nodes:
            return []
        numbers = self.numbers_of(kind)
        return nodes[bisect_left(numbers, start) : bisect_left(numbers, end)]

    def within(self, scope: ast.AST, types: tuple[type, ...]) -> list[ast.AST]:
        start = self.number[id(scope)]
        end = self.ends[id(scope)]
        found: list[ast.AST] = []
        for kind in types:
            found.extend(self.between(start, end, kind))
        if len(types) > 1:
            number = self.number
            found.sort(key=lambda node: number[id(node)])
        return found


# The last tree indexed: the survey reads one file at a time, and its gates and fact
# extractors each ask about the same tree in turn.
_INDEXED: tuple[ast.AST, NodeIndex] | None = None


def index_of(tree: ast.AST) -> NodeIndex:
    global _INDEXED
    if _INDEXED is None or _INDEXED[0] is not tree:
        _INDEXED = (tree, NodeIndex(tree))
    return _INDEXED[1]


def nodes_of(tree: ast.AST, *types: type) -> list[ast.AST]:
    """Every node of `tree` (itself included) whose class is one of `types` (exact
    classes; not `ctx` or operator nodes), class by class, each in pre-order.

    The survey's gates each look for a few kinds of node in the same tree: one walk
    indexes it by class for all of them (the last tree asked about is kept, the survey
    reading one file at a time), where each `ast.walk` of its own cost a whole walk."""
    by_class = index_of(tree).by_class
    if len(types) == 1:
        return by_class.get(types[0], [])
    return [node for kind in types for node in by_class.get(kind, ())]


def nodes_within(tree: ast.AST, scope: ast.AST, *types: type) -> list[ast.AST]:
    """The nodes of `scope`'s subtree (`scope` included) whose class is one of `types`,
    in pre-order: what `ast.walk(scope)` finds of them, read off the index of
    `tree`, which holds `scope`. `scope` is a module, function, class, lambda, loop or
    comprehension."""
    return index_of(tree).within(scope, types)


def indexed_within(scope: ast.AST, *types: type) -> list[ast.AST] | None:
    """`nodes_within` for a `scope` of the tree indexed last, without naming the tree;
    None when that index does not hold `scope` (the caller walks it instead). The
    indexed tree is kept alive with its index, so a node whose id it numbers is that
    node."""
    if _INDEXED is None:
        return None
    index = _INDEXED[1]
    if id(scope) not in index.ends:
        return None
    return index.within(scope, types)


class LoopRegions:
    """Which nodes run once per item of a loop, as `any_in_loop`'s walk reads them: a
    `for` statement's body, and all of a comprehension but its first iterable; a
    function, class or lambda inside such a part starts afresh (its inside is not per
    item). Each such part is a range of the index's numbers; the ranges nest, and the
    innermost one around a node decides."""

    def __init__(self, index: NodeIndex) -> None:
        number, ends = index.number, index.ends
        regions: list[tuple[int, int, bool]] = []  # (start, end, per item)
        for kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda):
            for scope in index.by_class.get(kind, ()):
                regions.append((number[id(scope)] + 1, ends[id(scope)], False))
        for kind in (*_FOR_LOOPS, *_COMPREHENSIONS):
            for loop in index.by_class.get(kind, ()):
                regions.extend(
                    (start, end, True) for start, end in per_item_ranges(index, loop)
                )
        regions.sort()
        self._starts = [region[0] for region in regions]
        self._regions = regions
        self._number = number

    def per_item(self, node: ast.AST) -> bool:
        at = self._number[id(node)]
        regions = self._regions
        for position in range(bisect_right(self._starts, at) - 1, -1, -1):
            start, end, per_item = regions[position]
            if at < end:
                return per_item
        return False


def per_item_ranges(index: NodeIndex, loop: ast.AST) -> list[tuple[int, int]]:
    """The ranges of `index`'s numbers that run once per item of `loop`: a `for`
    statement's body (not its `else`); all of a comprehension but its first iterable."""
    number, ends = index.number, index.ends
    if isinstance(loop, _FOR_LOOPS):
        end = number[id(loop.orelse[0])] if loop.orelse else ends[id(loop)]
        return [(number[id(loop.body[0])], end)]
    start, end = number[id(loop)] + 1, ends[id(loop)]
    generators = loop.generators
    first = generators[0]
    # The first iterable runs once: a hole in the per-item range.
    hole_start = number[id(first.iter)]
    hole_end = (
        number[id(first.ifs[0])]
        if first.ifs
        else number[id(generators[1])]
        if len(generators) > 1
        else end
    )
    if hole_end < end:
        return [(start, hole_start), (hole_end, end)]
    return [(start, hole_start)]


class ScopeRegions:
    """The functions, classes and lambdas of a tree as ranges of the index's numbers:
    the innermost one strictly around a node is the scope the node belongs to (a
    function's decorators, defaults and annotations included, as a walk of the
    function's children reads them)."""

    def __init__(self, index: NodeIndex) -> None:
        number, ends = index.number, index.ends
        spans = sorted(
            (
                (number[id(scope)] + 1, ends[id(scope)], scope)
                for kind in _NESTED_SCOPES
                for scope in index.by_class.get(kind, ())
            ),
            key=lambda span: span[0],
        )
        self._starts = [span[0] for span in spans]
        self._spans = spans
        self._number = number
        # Each span's innermost enclosing span (-1: none). Spans nest or lie apart, so
        # the spans around a node are the one starting last before it and the spans
        # around that one: `owner` climbs those instead of every earlier span.
        self._outer: list[int] = []
        open_spans: list[int] = []
        for position, (start, end, _scope) in enumerate(spans):
            while open_spans and spans[open_spans[-1]][1] <= start:
                open_spans.pop()
            self._outer.append(open_spans[-1] if open_spans else -1)
            open_spans.append(position)

    def owner(self, node: ast.AST) -> ast.AST | None:
        at = self._number[id(node)]
        spans, outer = self._spans, self._outer
        position = bisect_right(self._starts, at) - 1
        while position >= 0:
            _, end, scope = spans[position]
            if at < end:
                return scope
            position = outer[position]
        return None


def owner_scope(tree: ast.AST, node: ast.AST) -> ast.AST:
    """The innermost function, class or lambda of `tree` strictly around `node`, else
    `tree` itself."""
    index = index_of(tree)
    if index.scopes is None:
        index.scopes = ScopeRegions(index)
    owner = index.scopes.owner(node)
    return tree if owner is None else owner


def below_any(
    tree: ast.AST, containers: list[ast.AST], nodes: list[ast.AST]
) -> list[ast.AST]:
    """Those of `nodes` strictly below one of `containers` (modules, functions,
    classes, lambdas, loops or comprehensions of `tree`), placed by the shared index."""
    if not nodes or not containers:
        return []
    index = index_of(tree)
    number, ends = index.number, index.ends
    spans = sorted((number[id(node)] + 1, ends[id(node)]) for node in containers)
    starts: list[int] = []
    stops: list[int] = []
    for start, stop in spans:  # joined: a container inside another adds nothing
        if stops and start < stops[-1]:
            stops[-1] = max(stops[-1], stop)
        else:
            starts.append(start)
            stops.append(stop)
    found = []
    for node in nodes:
        at = number[id(node)]
        position = bisect_right(starts, at) - 1
        if position >= 0 and at < stops[position]:
            found.append(node)
    return found


def runs_per_item(tree: ast.AST, node: ast.AST) -> bool:
    """Does `node` of `tree` run once per item of a loop, as `any_in_loop` reads it?"""
    index = index_of(tree)
    if index.loops is None:
        index.loops = LoopRegions(index)
    return index.loops.per_item(node)


_FOR_LOOPS = (ast.For, ast.AsyncFor)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def any_in_loop(
    tree: ast.AST,
    matches: Callable[[ast.AST], bool],
    types: tuple[type, ...] | None = None,
) -> bool:
    """Does some node that runs once per item of a loop or comprehension `match`?

    The per-item parts are those `loop_frames.frames_of` reads as a frame: a `for`
    statement's body (not its iterable, target or `else`), and everything of a
    comprehension but its first iterable, which runs once, where the comprehension
    stands. A function or class defined inside a loop does not run per item.

    With `types`, only nodes of those classes can match: they are read off the shared
    index (`runs_per_item`) instead of a walk of the tree."""
    if types is not None:
        return any(
            runs_per_item(tree, node)
            for node in nodes_of(tree, *types)
            if matches(node)
        )
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


def ast_without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    """A function's or class's statements without its leading docstring."""
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        return body[1:]
    return body


def ast_target_names(target: ast.AST) -> list[str]:
    """The names a `for` or comprehension target binds, in order: a name, or the names
    of a tuple, list or starred target (`syntax.target_names` for LibCST)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in ast_target_names(element)]
    if isinstance(target, ast.Starred):
        return ast_target_names(target.value)
    return []


def called_name(func: ast.AST) -> str:
    """The last name of what a call calls: `f` for `f(...)` and `x.f(...)`, else ""."""
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def walk_own_body(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
) -> Iterator[ast.AST]:
    """The nodes of the function's own body, not those of nested functions, classes or lambdas."""
    index = _INDEXED[1] if _INDEXED is not None else None
    if index is None or id(function) not in index.ends:
        return iter(_own_body(function))
    # A function of the tree indexed last (kept alive with its index, so its id names
    # it): the survey's extractors each walk the same functions, the walk is kept.
    found = index.own_bodies.get(id(function))
    if found is None:
        found = index.own_bodies[id(function)] = _own_body(function)
    return iter(found)


def own_body_nodes(
    function: ast.FunctionDef | ast.AsyncFunctionDef, kinds: tuple[type, ...]
) -> list[ast.AST]:
    """The nodes of classes `kinds` that `walk_own_body(function)` yields, in no set
    order: read off the node index when the function is of the tree indexed last,
    else picked from the walk."""
    index = _INDEXED[1] if _INDEXED is not None else None
    if index is None or id(function) not in index.ends:
        return [node for node in walk_own_body(function) if type(node) in kinds]
    return indexed_own_body(index, function, kinds)


def indexed_own_body(
    index: NodeIndex,
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    kinds: tuple[type, ...],
) -> list[ast.AST]:
    """The nodes of `kinds` that `walk_own_body(function)` yields, in no set order,
    read off the file's node index: those of the body's part of the function's
    range, less the subtrees of the functions, classes and lambdas in it, except a
    statement of the body itself (the walk starts from those unfiltered: a `def`
    directly in the body is walked, not the functions inside it)."""
    number = index.number
    start = number[id(function.body[0])]
    end = _after_body(index, function)
    pruned: list[tuple[int, int]] = []
    statements = {id(statement) for statement in function.body}
    for kind in _NESTED_SCOPES:
        for scope in index.between(start, end, kind):
            if id(scope) not in statements:
                pruned.append((number[id(scope)], index.ends[id(scope)]))
    found: list[ast.AST] = []
    for kind in kinds:
        nodes = index.between(start, end, kind)
        if pruned:
            nodes = [node for node in nodes if not _inside(number[id(node)], pruned)]
        found.extend(nodes)
    return found


def _inside(at: int, spans: list[tuple[int, int]]) -> bool:
    """Is `at` in one of `spans` (subtrees' ranges: nested or apart, never crossing)?"""
    return any(low <= at < high for low, high in spans)


def _after_body(
    index: NodeIndex, function: ast.FunctionDef | ast.AsyncFunctionDef
) -> int:
    """The index's number of the first node after the body: a decorator, the return
    annotation (the fields after `body`, in the index's order), else the function's
    end."""
    number = index.number
    if function.decorator_list:
        return number[id(function.decorator_list[0])]
    if function.returns is not None:
        return number[id(function.returns)]
    type_params = getattr(function, "type_params", None)
    if type_params:
        return number[id(type_params[0])]
    return index.ends[id(function)]


# Node fields by class, for the classes `_own_body` walks into (not nested scopes).
_OWN_BODY_FIELDS: dict[type, tuple[str, ...]] = {}
_NESTED_SCOPE_CLASSES = frozenset(_NESTED_SCOPES)


def _own_body(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    # A stack walk, last child first: the order every caller has read so far. A nested
    # function, class or lambda is left out with everything below it, except where it
    # is a statement of the body itself (its inside is walked, as it always was).
    found: list[ast.AST] = []
    add = found.append
    stack: list = list(function.body)
    pop, push, extend = stack.pop, stack.append, stack.extend
    fields = _OWN_BODY_FIELDS
    statements: set[int] | None = None
    while stack:
        node = pop()
        names = fields.get(type(node))
        if names is None:
            kind = type(node)
            if not isinstance(node, ast.AST):
                continue  # None: a dict's `**` key, a keyword-only argument's default
            if kind in _NESTED_SCOPE_CLASSES:
                if statements is None:
                    statements = {id(statement) for statement in function.body}
                if id(node) not in statements:
                    continue
                names = _fields_of(kind)
            else:
                names = fields[kind] = _fields_of(kind)
        add(node)
        for name in names:
            value = getattr(node, name, None)
            if type(value) is list:
                extend(value)
            elif value is not None:
                push(value)
    return found


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
