"""The function index: project functions and methods whose body runs a keyed query.

`RendersDAL.get_by_project_id(project_id)` is the most common N+1 of all when it is
called once per item of a loop, and nothing in the loop body looks like a query. This
index, gathered with `ast` in the same pass as the model index, records for each function
which parameters feed a `column == parameter` predicate (or `session.get(Model, param)`),
the model it queries, and whether it writes, so a rule can recognise the call as a query.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Iterable

from n1fix.cst.astwalk import (
    ast_dotted_name,
    called_name,
    child_nodes,
    class_like,
    own_body_nodes,
    walk_own_body,
)
from n1fix.orm.instances import module_instances

_FILTER_METHODS = {"where", "filter"}
_WRITE_METHODS = {
    "add",
    "add_all",
    "delete",
    "merge",
    "commit",
    "flush",
    "rollback",
    "bulk_save_objects",
}
_WRITE_STATEMENTS = {"insert", "update", "delete"}


@dataclass(frozen=True)
class QueryFunction:
    qualname: str  # app.dal.renders.RendersDAL.get_by_project_id
    name: str
    owner: str | None  # the qualified class for methods
    path: str
    line: int
    params: tuple[str, ...]  # in order, without self/cls
    kind: str  # function | method | classmethod | staticmethod
    is_async: bool
    key_params: tuple[
        str, ...
    ]  # parameters compared with a column of the queried model
    model: str | None  # the queried model, as written
    writes: bool
    returns: str | None = (
        None  # the head of the return annotation: `list` for `-> list[Render]`
    )
    decorators: tuple[str, ...] = ()  # as written, without arguments: `functools.cache`


def defined_functions(tree: ast.Module, module_name: str) -> list[str]:
    """Qualified names of every module-level function and method (to find batch variants)."""
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append(f"{module_name}.{node.name}")
        elif isinstance(node, ast.ClassDef):
            names.extend(
                f"{module_name}.{node.name}.{item.name}"
                for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
            )
    return names


# A keyed query needs one of these in the source text: `Model.col == x` (either way
# round), `filter_by(col=x)`, or `get(Model, x)`. Files without any are not walked.
_KEYED_TEXT = re.compile(
    r"[A-Z]\w*\.\w+\s*==|==\s*[A-Z]\w*\.\w|filter_by\s*\(\s*\w+\s*=|\.get\s*\(\s*[\w.]*[A-Z]"
)


# `_KEYED_TEXT` without its first alternative, which is slow to search (it may start
# at any capital letter): `_may_key` finds it from the `.column ==` it ends with.
_KEYED_TEXT_REST = re.compile(
    r"==\s*[A-Z]\w*\.\w|filter_by\s*\(\s*\w+\s*=|\.get\s*\(\s*[\w.]*[A-Z]"
)
_COLUMN_EQUALS = re.compile(r"\.\w+\s*==")


def _may_key(text: str) -> bool:
    """`_KEYED_TEXT.search(text)`, found faster (equal on every .py file of the
    corpus the speed work was measured on). The first alternative,
    `[A-Z]\\w*\\.\\w+\\s*==`, matches where a `.column ==` follows a run of word
    characters holding a capital letter; each `.column ==` is found by its dot, and
    the run before it read backwards (`\\w` is what `str.isalnum` or `_` is)."""
    if _KEYED_TEXT_REST.search(text):
        return True
    for match in _COLUMN_EQUALS.finditer(text):
        start = match.start()
        while start > 0:
            char = text[start - 1]
            if not (char.isalnum() or char == "_"):
                break
            if "A" <= char <= "Z":
                return True
            start -= 1
    return False


def extract_functions(
    tree: ast.Module, module_name: str, path: str, text: str | None = None
) -> list[QueryFunction]:
    if text is not None and not _may_key(text):
        return []
    found: list[QueryFunction] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _add(found, node, f"{module_name}.{node.name}", None, path, "function")
        elif isinstance(node, ast.ClassDef):
            owner = f"{module_name}.{node.name}"
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    _add(
                        found,
                        item,
                        f"{owner}.{item.name}",
                        owner,
                        path,
                        _method_kind(item),
                    )
    return found + _instance_methods(found, tree, module_name)


def _instance_methods(
    found: list[QueryFunction], tree: ast.Module, module_name: str
) -> list[QueryFunction]:
    """The query methods again under a module-level instance of their class
    (`Users.get_user_by_id` for `Users = UsersTable()`): a call through the instance
    runs the class's method. The owner stays the class, where the method is written."""
    instances = module_instances(tree) if found else {}
    if not instances:
        return []
    by_owner: dict[str, list[QueryFunction]] = {}
    for function in found:
        if function.owner is not None and function.kind != "property":
            by_owner.setdefault(function.owner, []).append(function)
    return [
        replace(function, qualname=f"{module_name}.{instance}.{function.name}")
        for instance, cls in sorted(instances.items())
        for function in by_owner.get(f"{module_name}.{cls}", [])
    ]


def _method_kind(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    names = {
        d.id
        if isinstance(d, ast.Name)
        else d.attr
        if isinstance(d, ast.Attribute)
        else ""
        for d in node.decorator_list
    }
    if "staticmethod" in names:
        return "staticmethod"
    if "classmethod" in names:
        return "classmethod"
    if "property" in names or "cached_property" in names:
        return "property"
    return "method"


def _add(
    found: list[QueryFunction],
    node,
    qualname: str,
    owner: str | None,
    path: str,
    kind: str,
) -> None:
    args = node.args
    params = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    if kind in ("method", "classmethod", "property") and params:
        params = params[1:]
    keys, model, runs = _keyed_query(node, set(params))
    if not keys or not runs:
        return
    found.append(
        QueryFunction(
            qualname=qualname,
            name=node.name,
            owner=owner,
            path=path,
            line=node.lineno,
            params=tuple(params),
            kind=kind,
            is_async=isinstance(node, ast.AsyncFunctionDef),
            key_params=tuple(p for p in params if p in keys),
            model=model,
            writes=_writes(node),
            returns=ast_dotted_name(
                node.returns.value
                if isinstance(node.returns, ast.Subscript)
                else node.returns
            )
            if node.returns is not None
            else None,
            decorators=tuple(
                ast_dotted_name(d.func if isinstance(d, ast.Call) else d) or ""
                for d in node.decorator_list
            ),
        )
    )


def _keyed_query(function, params: set[str]) -> tuple[set[str], str | None, bool]:
    """(parameters used as query keys, the model, whether a query runs at all)."""
    # The function's own `x.method(...)` calls, in no set order: the keys and whether
    # a query runs do not depend on it, the model (the first one a key names, in the
    # walk's order) only when the keys name more than one.
    calls = [
        node
        for node in own_body_nodes(function, (ast.Call,))
        if isinstance(node.func, ast.Attribute)
    ]
    keys, models, runs = _read_calls(calls, params)
    if len(set(models)) > 1:
        walked = [
            node
            for node in walk_own_body(function)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        ]
        models = _read_calls(walked, params)[1]
    model = None
    for named in models:
        model = model or named
    return keys, model, runs


def _read_calls(
    calls: list[ast.Call], params: set[str]
) -> tuple[set[str], list[str | None], bool]:
    """(parameters used as query keys, what each key names as its model in the order
    of `calls` (a name, or "" or None when it cannot be read), whether a query runs
    at all)."""
    keys: set[str] = set()
    models: list[str | None] = []
    runs = False
    clauses = _queries_made_clauses(calls)
    for node in calls:
        method = node.func.attr
        if method in ("execute", "scalars", "scalar", "query") and node.args:
            runs = runs or node not in clauses
        elif method == "get" and len(node.args) == 2 and class_like(node.args[0]):
            runs = True  # session.get(Model, key), not dict.get(key, default)
        if method in _FILTER_METHODS:
            for arg in node.args:
                for compare in _conjuncts(arg):
                    hit = _column_equals_param(compare, params)
                    if hit:
                        keys.add(hit[1])
                        models.append(hit[0])
        elif method == "filter_by":
            for keyword in node.keywords:
                if isinstance(keyword.value, ast.Name) and keyword.value.id in params:
                    keys.add(keyword.value.id)
        elif (
            method == "get"
            and len(node.args) == 2
            and isinstance(node.args[1], ast.Name)
            and node.args[1].id in params
        ):
            if class_like(node.args[0]):
                keys.add(node.args[1].id)
                models.append(ast_dotted_name(node.args[0]))
    return keys, models, runs


# What turns a 1.x Query into part of another statement, which runs nothing itself.
_CLAUSE_METHODS = {"subquery", "cte", "exists", "scalar_subquery", "as_scalar"}


def _queries_made_clauses(calls: list[ast.Call]) -> set[ast.Call]:
    """The `session.query(...)` calls of chains that end by making a clause
    (`session.query(A.id).filter(...).subquery()`): no statement is sent for them.
    `calls`: the function's own `x.method(...)` calls."""
    found: set[ast.Call] = set()
    for node in calls:
        if node.func.attr not in _CLAUSE_METHODS:
            continue
        inner = node.func.value
        while isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
            if inner.func.attr == "query":
                found.add(inner)
                break
            inner = inner.func.value
    return found


def _conjuncts(expr: ast.AST) -> list[ast.AST]:
    if isinstance(expr, ast.Call) and ast_dotted_name(expr.func) in {
        "and_",
        "sa.and_",
        "sqlalchemy.and_",
    }:
        return [c for arg in expr.args for c in _conjuncts(arg)]
    return [expr]


def _column_equals_param(expr: ast.AST, params: set[str]) -> tuple[str, str] | None:
    if not (
        isinstance(expr, ast.Compare)
        and len(expr.ops) == 1
        and isinstance(expr.ops[0], ast.Eq)
    ):
        return None
    for column, value in (
        (expr.left, expr.comparators[0]),
        (expr.comparators[0], expr.left),
    ):
        if (
            isinstance(column, ast.Attribute)
            and class_like(column.value)
            and isinstance(value, ast.Name)
            and value.id in params
        ):
            return ast_dotted_name(column.value) or "", value.id
    return None


def _writes(function) -> bool:
    for node in walk_own_body(function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _WRITE_METHODS:
                return True
            if node.func.attr in ("execute", "scalars", "scalar") and node.args:
                # `update(M).where(...)`, `sa.update(M)...`: any name down the chain counts.
                head = node.args[0]
                while isinstance(head, ast.Call):
                    func = head.func
                    name = called_name(func)
                    if name in _WRITE_STATEMENTS:
                        return True
                    head = func.value if isinstance(func, ast.Attribute) else None
    return False


_LOOPS = (
    ast.For,
    ast.AsyncFor,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def loop_called_names(tree: ast.Module) -> set[str]:
    """The last name of every function a call inside a loop or comprehension may reach
    (anywhere in it: header, body, nested functions), for the gate's second stage, which
    asks "may this file call an indexed query function in a loop?". A superset: `f` and,
    when an import binds `f` to another name (`from m import g as f`), that name's last
    part (`g`), which is what the rule's resolution matches; `x.f()` gives `f`."""
    aliases: dict[str, set[str]] = {}
    called: set[str] = set()
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, in_loop = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.asname:
                    aliases.setdefault(alias.asname, set()).add(
                        alias.name.rpartition(".")[2]
                    )
        elif in_loop and isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                called.add(func.attr)
            elif isinstance(func, ast.Name):
                called.add(func.id)
        inner = in_loop or isinstance(node, _LOOPS)
        stack.extend((child, inner) for child in child_nodes(node))
    names = set(called)
    for name in called:
        names |= aliases.get(name, set())
    return names


@dataclass
class FunctionIndex:
    functions: dict[str, QueryFunction] = field(default_factory=dict)
    defined: frozenset[str] = frozenset()  # every function and method of the project
    # Built on first use: the functions by the last segment of their qualified name (every
    # suffix match below ends in that segment), and the set of plain names.
    _by_last: dict[str, list[tuple[str, QueryFunction]]] | None = field(
        default=None, repr=False, compare=False
    )
    _names: set[str] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_facts(
        cls, facts: Iterable[QueryFunction], defined: Iterable[str] = ()
    ) -> "FunctionIndex":
        return cls({f.qualname: f for f in facts}, frozenset(defined))

    def is_empty(self) -> bool:
        return not self.functions

    def reference(self, value: object) -> str | None:
        """The name a function this index holds is known by, so that a read asking
        `sibling(function, ...)` can be noted and asked again (`engine/reads.py`); None
        for anything else."""
        if (
            isinstance(value, QueryFunction)
            and self.functions.get(value.qualname) is value
        ):
            return value.qualname
        return None

    def referenced(self, name: str) -> QueryFunction | None:
        """The function `reference` named `name`, in this index."""
        return self.functions.get(name) if type(name) is str else None

    def sibling(self, function: QueryFunction, name: str) -> str | None:
        """`RendersDAL.latest_for_projects` when it exists next to `latest_for_project`."""
        # the class, also for a method reached through a module-level instance
        owner = function.owner or function.qualname.rpartition(".")[0]
        qualified = f"{owner}.{name}"
        return qualified if qualified in self.defined else None

    @property
    def names(self) -> set[str]:
        if self._names is None:
            self._names = {f.name for f in self.functions.values()}
        return self._names

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for qualname in sorted(self.functions):
            digest.update(repr(self.functions[qualname]).encode())
        return digest.hexdigest()

    def resolve(self, qualified: str) -> QueryFunction | None:
        """A function by qualified name; a dotted suffix match when the module path differs
        (`renderapp.dal.RendersDAL.x` for `golden.renderapp.dal.RendersDAL.x`), if unique."""
        if qualified in self.functions:
            return self.functions[qualified]
        if self._by_last is None:
            self._by_last = {}
            for name, function in self.functions.items():
                self._by_last.setdefault(name.rpartition(".")[2], []).append(
                    (name, function)
                )
        candidates = self._by_last.get(qualified.rpartition(".")[2], [])
        suffix = "." + qualified
        matches = [f for name, f in candidates if name.endswith(suffix)]
        if len(matches) == 1:
            return matches[0]
        # A package re-export: `from app.dal import RendersDAL` names
        # `app.dal.renders.RendersDAL`; the function lives below the package imported from.
        package, _, tail = qualified.rpartition(".")
        for depth in (2, 1):
            parts = qualified.split(".")
            if len(parts) <= depth:
                continue
            package, tail = ".".join(parts[:-depth]), ".".join(parts[-depth:])
            matches = [
                f
                for name, f in candidates
                if name.startswith(package + ".") and name.endswith("." + tail)
            ]
            if len(matches) == 1:
                return matches[0]
        return None
