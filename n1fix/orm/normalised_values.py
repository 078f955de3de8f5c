"""Where a project normalises the values of a column, read from one module's `ast` tree.

A project that stores `name.lower()` (or compares a column with `value.strip()`) shows
that it keeps one spelling of each value. When it then looks rows up by values it did
not normalise, it relies on the database's collation to find them (MySQL's default
ignores case): a batch that matches the fetched rows to the keys in Python would not.

Each site is recorded as a `NormalisedValueFacts`: the column's attribute, the model as
the module names it (qualified through its imports; None when the code does not show
it), the normalising methods and the line. A value is normalised when its chain of
method calls applies one (`name.lower().strip()`, `realm.replace(" ", "-")` on a name
bound to such a value earlier in the function). The sites read:

- a constructor keyword: `Realm(name=name.lower())`;
- an attribute assignment: `realm.name = name.lower()` (the model: the class of
  `self` in a class body, the class a parameter is annotated with or a name was built
  from, `realm = Realm(...)`; else unknown);
- `insert(Realm).values(name=...)` (the model when `insert(...)` names it);
- a comparison with the column: `Realm.name == name.lower()`, `filter_by(name=...)`
  (the model when the query names it: `select(Realm)`, `query(Realm)`, `Realm.query`).
"""

from __future__ import annotations

import ast
from bisect import bisect_left
from dataclasses import dataclass

from n1fix.cst.astwalk import ast_dotted_name, child_nodes, index_of, nodes_of

__all__ = ["NORMALISERS", "NormalisedValueFacts", "extract_normalised_values"]

NORMALISERS = frozenset({"lower", "upper", "casefold", "strip"})
# Methods whose keywords are a query's columns: `insert(...).values`, `filter_by`.
_QUERY_KEYWORDS = frozenset({"values", "filter_by"})
_QUERY_STARTS = frozenset({"select", "query", "insert", "update", "delete"})


@dataclass(frozen=True)
class NormalisedValueFacts:
    attr: str  # the column's attribute
    model: str | None  # qualified through the module's imports; None: not shown
    # The site stores into `model` only if it is a model (a constructor's keyword, a
    # model's own `self.attr`): a call of anything else is no site.
    exact: bool
    methods: tuple[str, ...]  # the normalising methods applied, sorted
    path: str  # the file, relative to the project root
    line: int


def extract_normalised_values(
    tree: ast.Module, imports: dict[str, str], module_name: str, path: str
) -> list[NormalisedValueFacts]:
    found: list[NormalisedValueFacts] = []
    normalising = _normalising_calls(tree)
    if normalising:
        _Reader(imports, module_name, path, found, tree, normalising).visit(tree)
    return found


def _normalising_calls(tree: ast.Module) -> list[int]:
    """The index numbers of the calls of a normalising method (`x.lower()`), ascending.

    Every site needs one: a value is normalised by a chain holding such a call, or by a
    name an assignment of such a chain bound earlier in the same function; a function
    (its defaults and decorators included) holding none is read for nothing."""
    number = index_of(tree).number
    return [
        number[id(call)]
        for call in nodes_of(tree, ast.Call)
        if isinstance(call.func, ast.Attribute) and call.func.attr in NORMALISERS
    ]


def chain_methods(node: ast.AST) -> tuple[tuple[str, ...], ast.AST]:
    """The normalising methods a chain of method calls applies, and the chain's base
    (`name` in `name.lower().strip()`)."""
    methods: set[str] = set()
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in NORMALISERS:
            methods.add(node.func.attr)
        node = node.func.value
    return tuple(sorted(methods)), node


class _Reader(ast.NodeVisitor):
    def __init__(self, imports, module_name, path, found, tree, normalising) -> None:
        self.imports, self.module_name = imports, module_name
        self.path, self.found = path, found
        index = index_of(tree)
        self.number, self.ends = index.number, index.ends
        self.normalising = normalising
        self.classes: list[str] = []
        # Names bound to a normalised value in the function being read, with its methods.
        self.bound: list[dict[str, tuple[str, ...]]] = [{}]
        # The class each name of the function being read is shown to hold: its
        # parameter's annotation, `x: C = ...`, `x = C(...)`.
        self.types: list[dict[str, str]] = [{}]

    # `ast.NodeVisitor`'s order, without its per-node `getattr` by name and its walk
    # of every field (operators, contexts and constants hold no site).
    def visit(self, node: ast.AST) -> None:
        visitor = _VISITORS.get(type(node))
        if visitor is None:
            self.generic_visit(node)
        else:
            visitor(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        for child in child_nodes(node):
            self.visit(child)

    # -- scopes ---------------------------------------------------------------------------

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.classes.append(node.name)
        self.generic_visit(node)
        self.classes.pop()

    def visit_FunctionDef(self, node) -> None:
        # A function keeps its names to itself: one without a normalising call (see
        # `_normalising_calls`) notes nothing and changes nothing around it.
        start = bisect_left(self.normalising, self.number[id(node)])
        if (
            start == len(self.normalising)
            or self.normalising[start] >= self.ends[id(node)]
        ):
            return
        self.bound.append({})
        self.types.append(_parameter_types(node.args))
        self.generic_visit(node)
        self.types.pop()
        self.bound.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    # -- values ---------------------------------------------------------------------------

    def _normalised(self, value: ast.AST) -> tuple[str, ...]:
        methods, base = chain_methods(value)
        if isinstance(base, ast.Name):
            methods = tuple(sorted({*methods, *self.bound[-1].get(base.id, ())}))
        return methods

    def _model(self, name: str | None) -> str | None:
        if not name:
            return None
        first, dot, rest = name.partition(".")
        if first in self.imports:
            return self.imports[first] + dot + rest
        return f"{self.module_name}.{name}"

    def _note(self, attr, model, methods, node: ast.AST, exact=False) -> None:
        self.found.append(
            NormalisedValueFacts(
                attr, model, exact, tuple(methods), self.path, node.lineno
            )
        )

    # -- sites ----------------------------------------------------------------------------

    def _owner(self, node: ast.AST) -> str | None:
        """The class the object `node` names is shown to be: `self`'s in a class body,
        a name's annotated or constructed class; None when the code does not show it."""
        if not isinstance(node, ast.Name):
            return None
        if node.id == "self":
            return self.classes[-1] if self.classes else None
        return self.types[-1].get(node.id)

    def visit_Assign(self, node: ast.Assign) -> None:
        methods = self._normalised(node.value)
        built = _constructed_class(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name):
                if methods:
                    self.bound[-1][target.id] = methods
                else:
                    self.bound[-1].pop(target.id, None)
                if built:
                    self.types[-1][target.id] = built
                else:
                    self.types[-1].pop(target.id, None)
            elif isinstance(target, ast.Attribute) and methods:
                owner = self._owner(target.value)
                self._note(
                    target.attr, self._model(owner), methods, node, owner is not None
                )
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if isinstance(node.target, ast.Name):
            shown = _annotated_class(node.annotation)
            if shown:
                self.types[-1][node.target.id] = shown
            else:
                self.types[-1].pop(node.target.id, None)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        keywords = [(k.arg, self._normalised(k.value)) for k in node.keywords if k.arg]
        keywords = [(arg, methods) for arg, methods in keywords if methods]
        if keywords:
            func = node.func
            query = isinstance(func, ast.Attribute) and func.attr in _QUERY_KEYWORDS
            model = self._model(
                _query_model(func.value) if query else ast_dotted_name(func)
            )
            for arg, methods in keywords:
                self._note(arg, model, methods, node, exact=not query)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            for column, value in (
                (node.left, node.comparators[0]),
                (node.comparators[0], node.left),
            ):
                methods = self._normalised(value)
                if methods and isinstance(column, ast.Attribute):
                    shown = self._owner(column.value)
                    owner = shown or ast_dotted_name(column.value)
                    self._note(
                        column.attr, self._model(owner), methods, node, bool(shown)
                    )
        self.generic_visit(node)


_VISITORS = {
    kind: getattr(_Reader, f"visit_{kind.__name__}")
    for kind in (
        ast.ClassDef,
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.Assign,
        ast.AnnAssign,
        ast.Call,
        ast.Compare,
    )
}


def _parameter_types(args: ast.arguments) -> dict[str, str]:
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    return {
        arg.arg: shown
        for arg in every
        if arg.annotation is not None and (shown := _annotated_class(arg.annotation))
    }


def _annotated_class(annotation: ast.AST) -> str | None:
    """`Form` in `Form`, `"Form"`, `Form | None`, `Optional[Form]`; None for anything
    else (a union of classes, a container)."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        sides = [annotation.left, annotation.right]
        kept = [side for side in sides if not _is_none(side)]
        return _annotated_class(kept[0]) if len(kept) == 1 else None
    if isinstance(annotation, ast.Subscript):
        if (ast_dotted_name(annotation.value) or "").rsplit(".", 1)[-1] == "Optional":
            return _annotated_class(annotation.slice)
        return None
    return _class_name(annotation)


def _constructed_class(value: ast.AST) -> str | None:
    """`Realm` in `Realm(...)`: a call of a capitalised name, as classes are spelled."""
    if isinstance(value, ast.Call):
        return _class_name(value.func)
    return None


def _class_name(node: ast.AST) -> str | None:
    name = ast_dotted_name(node)
    if name and name.rsplit(".", 1)[-1][:1].isupper():
        return name
    return None


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _query_model(node: ast.AST) -> str | None:
    """`Realm` in `select(Realm).where(...)`, `session.query(Realm)`, `Realm.query`,
    `insert(Realm)`; None when the chain does not name one model."""
    while True:
        if isinstance(node, ast.Call):
            name = ast_dotted_name(node.func) or ""
            if name.rsplit(".", 1)[-1] in _QUERY_STARTS:
                if len(node.args) == 1:
                    return ast_dotted_name(node.args[0])
                return None
            node = node.func
        elif isinstance(node, ast.Attribute):
            if node.attr == "query":
                return ast_dotted_name(node.value)
            node = node.value
        else:
            return None
