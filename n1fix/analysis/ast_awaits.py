"""Which awaited calls may talk to the database, read with `ast` for the gates.

sequential-awaits reports a run of awaits when two of them talk to the database
(`AwaitedCall.database`), awaits-in-loop an await in a loop when it runs a query
(`AwaitedCall.queries`); `analysis.await_calls.describe` decides both on LibCST's tree.
These are cheap supersets of its tests, so that a gate can turn away an async file no
await of which can be such a call before LibCST parses it. An awaited call may talk to
the database when:

- it passes an argument that may be a session (a name used as a session's receiver in
  the function, a parameter named or annotated as one, a name that reads like one), or
  a string (which may be a write statement);
- it calls a session's method (`session.execute(...)`) on a dotted name;
- it calls a function defined in the caller (it may close over a session);
- it calls a request method (`client.get(url)`) on a dotted name in a file that imports
  httpx or aiohttp (`http_clients` may show the receiver to be a client);
- or else the project's session-use index may know its callee: the callee's last name
  (and, for an imported name, the name it was imported as) is kept for `project_gate`,
  since a resolved callee's qualified name always ends with it.

No LibCST here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from n1fix.analysis.http_methods import HTTP_MODULES, REQUEST_METHODS
from n1fix.cst.astwalk import ast_dotted_name, nodes_of, nodes_within
from n1fix.orm.session_use import (
    READ_METHODS,
    SESSION_NAME,
    SESSION_TYPE,
    WRITE_METHODS,
)

# Every method name `await_calls._session_method` may accept.
_SESSION_METHODS = (
    READ_METHODS | WRITE_METHODS | {"get", "delete", "refresh", "merge", "add", "query"}
)
_BLOCKS = ("body", "orelse", "finalbody")

# What `callee_names` gives for an await that may talk to the database whatever the
# project holds; otherwise the callee's possible last names (empty: none).
LOCAL = True


# Nodes that hold blocks of statements (`body`, `orelse`, `finalbody`, `handlers`,
# `cases`): the only ones `blocks` finds a block in.
_BLOCK_HOLDERS = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.If,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    *((ast.TryStar,) if hasattr(ast, "TryStar") else ()),
    ast.ExceptHandler,
    ast.Match,
    ast.match_case,
)


def async_functions(tree: ast.AST) -> list[ast.AsyncFunctionDef]:
    return nodes_of(tree, ast.AsyncFunctionDef)


def awaited_call(statement: ast.stmt) -> ast.Call | None:
    """The call of `await f()`, `x = await f()` or `x: T = await f()` (a superset of
    `await_calls.awaited_statement`)."""
    if isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign)):
        value = statement.value
        if isinstance(value, ast.Await) and isinstance(value.value, ast.Call):
            return value.value
    return None


def blocks(
    tree: ast.Module, function: ast.AsyncFunctionDef
) -> Iterator[list[ast.stmt]]:
    """Every statement block of the function, those of nested functions included (read
    off the node index of `tree`, which holds the function)."""
    for node in nodes_within(tree, function, *_BLOCK_HOLDERS):
        for name in _BLOCKS:
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block
        for handler in getattr(node, "handlers", ()) or ():
            yield handler.body
        for case in getattr(node, "cases", ()) or ():
            yield case.body


class CallerFacts:
    """What `await_calls.CallerScope` knows of an `async def`, as a superset: the dotted
    names that may be its sessions, its local functions, the file's import aliases."""

    def __init__(
        self,
        tree: ast.Module,
        function: ast.AsyncFunctionDef,
        aliases: dict[str, list[str]],
    ):
        self.aliases = aliases
        self.http = imports_http_client(tree)
        self.sessions: set[str] = set()
        self.local_functions: set[str] = set()
        self.text_names: set[str] = set()  # names the function assigns a string
        args = function.args
        for param in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
            annotation = ast.unparse(param.annotation) if param.annotation else ""
            if SESSION_TYPE.search(annotation):
                self.sessions.add(param.arg)
        for node in nodes_within(
            tree,
            function,
            ast.Call,
            ast.FunctionDef,
            ast.AsyncFunctionDef,
            ast.Assign,
            ast.AnnAssign,
        ):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in _SESSION_METHODS:
                    receiver = ast_dotted_name(func.value)
                    if receiver is not None:
                        self.sessions.add(receiver)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if node is not function:
                    self.local_functions.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and _is_text(node.value):
                targets = (
                    node.targets if isinstance(node, ast.Assign) else [node.target]
                )
                self.text_names.update(t.id for t in targets if isinstance(t, ast.Name))

    def may_be_session(self, expr: ast.AST) -> bool:
        name = ast_dotted_name(expr)
        if name is None:
            return False
        return name in self.sessions or bool(
            SESSION_NAME.search(name.rpartition(".")[2])
        )

    def callee_names(self, call: ast.Call) -> bool | list[str]:
        """`LOCAL` when the call may talk to the database whatever the project holds,
        else the last names its callee may have in the session-use index."""
        for arg in passed_arguments(call):
            if self.may_be_session(arg) or self._may_be_text(arg):
                return LOCAL
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in _SESSION_METHODS
            and ast_dotted_name(func.value) is not None
        ):
            return LOCAL
        if isinstance(func, ast.Name) and func.id in self.local_functions:
            return LOCAL
        if (
            self.http
            and isinstance(func, ast.Attribute)
            and func.attr in REQUEST_METHODS
            and ast_dotted_name(func.value) is not None
        ):
            return LOCAL
        return self.possible_callees(call)

    def possible_callees(self, call: ast.Call) -> list[str]:
        """The last names the call's callee may have in the session-use index (which
        `await_calls.describe` looks it up in by its qualified name, or a suffix)."""
        path = ast_dotted_name(_callee_path(call.func))
        if path is None:
            return []
        names = [path.rpartition(".")[2]]
        for imported in self.aliases.get(path, ()):
            names.append(imported.rpartition(".")[2])
        return names

    def _may_be_text(self, expr: ast.AST) -> bool:
        """A string, or a name the function assigns one: `await_calls._is_dml_text`
        reads the write statement in either."""
        if isinstance(expr, ast.Name):
            return expr.id in self.text_names
        return _is_text(expr)


def import_aliases(tree: ast.Module) -> dict[str, list[str]]:
    """Name bound by an import -> what it imports (`gu` -> `get_user`); every name, when
    imports in different places bind the same one."""
    aliases: dict[str, list[str]] = {}
    for node in nodes_of(tree, ast.Import, ast.ImportFrom):
        for alias in node.names:
            if alias.asname:
                names = aliases.setdefault(alias.asname, [])
                if alias.name not in names:
                    names.append(alias.name)
    return aliases


def imports_http_client(tree: ast.Module) -> bool:
    """The file imports httpx or aiohttp (or something from them), anywhere."""
    for node in nodes_of(tree, ast.Import, ast.ImportFrom):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            names = [node.module or ""] if node.level == 0 else []
        if any(name.split(".", 1)[0] in HTTP_MODULES for name in names):
            return True
    return False


def passed_arguments(call: ast.Call) -> Iterator[ast.AST]:
    """Every argument, those given to a call in the receiver chain included (as
    `await_calls._passed`), keywords and starred ones too."""
    func = call.func
    while isinstance(func, (ast.Attribute, ast.Call)):
        if isinstance(func, ast.Call):
            yield from _arguments(func)
            func = func.func
        else:
            func = func.value
    yield from _arguments(call)


def _arguments(call: ast.Call) -> Iterator[ast.AST]:
    for arg in call.args:
        yield arg.value if isinstance(arg, ast.Starred) else arg
    for keyword in call.keywords:
        yield keyword.value


def _is_text(expr: ast.AST | None) -> bool:
    return isinstance(expr, ast.JoinedStr) or (
        isinstance(expr, ast.Constant) and isinstance(expr.value, str)
    )


def _callee_path(func: ast.AST) -> ast.AST:
    """`Repo(session).get` -> `Repo.get` (as `await_calls._callee_path`)."""
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
        return ast.Attribute(value=func.value.func, attr=func.attr, ctx=ast.Load())
    return func


# The last session-use index asked about, and its functions' last names, by `queries`.
_INDEXED: tuple[object, set[str], set[str]] | None = None


def indexed_names(index, querying: bool = False) -> set[str]:
    """The last names of the functions of a session-use index (only those that run a
    query themselves, with `querying`): a callee it resolves ends with one of them."""
    global _INDEXED
    if index is None:
        return set()
    if _INDEXED is None or _INDEXED[0] is not index:
        every: set[str] = set()
        queries: set[str] = set()
        for name, function in index.functions.items():
            last = name.rpartition(".")[2]
            every.add(last)
            if getattr(function, "queries", False):
                queries.add(last)
        _INDEXED = (index, every, queries)
    return _INDEXED[2] if querying else _INDEXED[1]


def factory_names(index) -> set[str]:
    """The last names of a session-use index's sessionmakers (`is_factory` matches a
    qualified name ending with one of them)."""
    if index is None:
        return set()
    return {name.rpartition(".")[2] for name in getattr(index, "factories", ())}
