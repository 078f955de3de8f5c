"""The session-use index: what each project `async def` does with database sessions.

Two awaits may run together (`asyncio.gather`) only when they do not share one
AsyncSession or connection and neither writes. The call site cannot show that:
`await AuthDAL.get_user_by_id(user_id)` may open a session of its own from a
sessionmaker, use the session its object holds, one passed in, or a module-level one.
This index, gathered with `ast` in the survey pass, records for each async function:

- `opens_session`: the body opens a session or connection of its own
  (`async with async_session() as s`, `async with engine.connect() as conn`,
  `AsyncSession(engine)`) and runs statements on it;
- `session_params`: parameters that carry a session in (used as one, annotated as one,
  or named like one), so the caller's argument for them is shared;
- `instance_session`: the attribute of `self` used as a session (`self.session`);
- `global_sessions`: module-level session objects it uses (`db.session`);
- `writes`: a write it makes itself (add, delete, merge, flush, commit, refresh,
  `execute(insert/update/delete ...)`, DML text);
- `delegates`: other awaited calls whose effects are only known through their own
  facts (resolved at check time; what cannot be resolved is unknown, never a read);
- `raises`: the exception its body raises by design (`raise HTTPException(403)`; a bare
  `raise` only passes on an error that was already happening), and `calls`: the plain
  (not awaited) calls it makes, followed to project functions that raise. Plain
  functions get facts of their own for this (`Raiser`); a call that resolves to nothing
  in the project (a library's) is not taken to raise by design.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Iterable

from n1fix.cst.astwalk import (
    NodeIndex,
    ast_dotted_name,
    called_name,
    child_nodes,
    class_like,
    index_of,
    indexed_own_body,
    walk_own_body,
)
from n1fix.orm.instances import module_instances

# Methods that make a receiver a session or connection (SQLAlchemy's AsyncSession,
# AsyncConnection, and the `databases`/asyncpg spellings).
READ_METHODS = frozenset(
    {
        "execute",
        "scalars",
        "scalar",
        "get",
        "get_one",
        "stream",
        "stream_scalars",
        "fetch",
        "fetch_all",
        "fetch_one",
        "fetchrow",
        "fetchval",
        "fetch_val",
        "query",
    }
)
WRITE_METHODS = frozenset(
    {
        "add",
        "add_all",
        "delete",
        "merge",
        "commit",
        "flush",
        "rollback",
        "refresh",
        "bulk_save_objects",
        "run_sync",
        "execute_many",
        "executemany",
    }
)
DML_CALLS = frozenset({"insert", "update", "delete", "upsert"})
# SQL text that changes something: DML, DDL, and statements with side effects (NOTIFY, LOCK).
_DML_TEXT = re.compile(
    r"^\s*(insert|update|delete|create|drop|alter|truncate|merge|upsert|replace|notify|lock|call|vacuum|grant|revoke)\b",
    re.I,
)
# Names a session or connection usually goes by; a parameter so named counts as one even
# when the body only hands it on (a wrong guess blocks a gather, never allows one).
SESSION_NAME = re.compile(
    r"^_*(db|session|db_session|dbsession|conn|connection|db_conn|async_session|tx|uow)$"
    r"|_session$|_conn$|_connection$|^session_"
)
SESSION_TYPE = re.compile(r"Session\b|Connection\b|AsyncEngine\b")
# What a context manager that opens a database session or connection is called.
_DATABASE_FACTORY = re.compile(
    r"session|engine|connect|begin|transaction|acquire|maker|db|database|pool|uow|unit_of_work",
    re.I,
)
# Awaited helpers that touch no shared state.
HARMLESS = frozenset({"asyncio.sleep"})


@dataclass(frozen=True)
class SessionUse:
    qualname: str  # app.dal.AuthDAL.get_user_by_id
    name: str
    owner: str | None  # the qualified class for methods
    path: str
    line: int
    params: tuple[str, ...]  # in order, without self/cls
    opens_session: bool
    session_params: tuple[str, ...]
    instance_session: str | None
    global_sessions: tuple[str, ...]  # module-qualified
    queries: bool  # runs a statement on some session itself
    writes: bool
    delegates: tuple[str, ...]  # qualified names of other awaited calls (best effort)
    raises: str | None = None  # the exception its own body raises: `HTTPException`
    calls: tuple[
        str, ...
    ] = ()  # qualified names of the plain calls it makes (best effort)


@dataclass(frozen=True)
class Raiser:
    """A plain (not async) project function: what it raises, what it calls."""

    qualname: str
    raises: str | None
    calls: tuple[str, ...]


@dataclass(frozen=True)
class SessionFactory:
    """A module-level sessionmaker (`async_session = async_sessionmaker(engine)`)."""

    qualname: str


def extract_session_use(
    tree: ast.Module, module_name: str, path: str, imports: dict[str, str]
) -> list[SessionUse | SessionFactory | Raiser]:
    found: list[SessionUse | SessionFactory | Raiser] = list(
        _session_factories(tree, module_name)
    )
    index = index_of(tree)
    for node in tree.body:
        if isinstance(node, ast.AsyncFunctionDef):
            found.append(
                _facts(
                    node,
                    f"{module_name}.{node.name}",
                    None,
                    path,
                    False,
                    module_name,
                    imports,
                )
            )
        elif isinstance(node, ast.FunctionDef):
            found.append(
                _raiser(
                    index,
                    node,
                    f"{module_name}.{node.name}",
                    None,
                    False,
                    module_name,
                    imports,
                )
            )
        elif isinstance(node, ast.ClassDef):
            owner = f"{module_name}.{node.name}"
            for item in node.body:
                is_method = (
                    not any(
                        _decorator(d) == "staticmethod" for d in item.decorator_list
                    )
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                    else False
                )
                if isinstance(item, ast.AsyncFunctionDef):
                    found.append(
                        _facts(
                            item,
                            f"{owner}.{item.name}",
                            owner,
                            path,
                            is_method,
                            module_name,
                            imports,
                        )
                    )
                elif isinstance(item, ast.FunctionDef):
                    found.append(
                        _raiser(
                            index,
                            item,
                            f"{owner}.{item.name}",
                            owner,
                            is_method,
                            module_name,
                            imports,
                        )
                    )
    return found + _instance_methods(found, tree, module_name)


def _instance_methods(found: list, tree: ast.Module, module_name: str) -> list:
    """The methods again under a module-level instance of their class (`Users =
    UsersTable()`): awaiting `Users.get_user_by_id(...)` runs the class's method."""
    instances = module_instances(tree)
    if not instances:
        return []
    by_owner: dict[str, list] = {}
    for fact in found:
        if isinstance(fact, SessionUse) and fact.owner is not None:
            by_owner.setdefault(fact.owner, []).append(fact)
    return [
        replace(
            fact,
            qualname=f"{module_name}.{instance}.{fact.qualname.rpartition('.')[2]}",
        )
        for instance, cls in sorted(instances.items())
        for fact in by_owner.get(f"{module_name}.{cls}", [])
    ]


def _raiser(
    index: NodeIndex,
    function: ast.FunctionDef,
    qualname,
    owner,
    is_method,
    module_name,
    imports,
) -> Raiser:
    args = function.args
    params = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    self_name = params[0] if is_method and params else None
    nodes = indexed_own_body(index, function, (ast.Raise, ast.Await, ast.Call))
    return Raiser(
        qualname,
        _raised(nodes),
        _plain_calls(nodes, module_name, imports, owner, self_name, set(params)),
    )


def _raised(nodes: list[ast.AST]) -> str | None:
    """The first exception raised by design: `raise X(...)` or `raise X`, not a bare `raise`."""
    raised = [
        node for node in nodes if isinstance(node, ast.Raise) and node.exc is not None
    ]
    if not raised:
        return None
    first = min(raised, key=lambda node: (node.lineno, node.col_offset))
    exc = first.exc.func if isinstance(first.exc, ast.Call) else first.exc
    return ast_dotted_name(exc) or ast.unparse(exc)


def _plain_calls(
    nodes: list[ast.AST], module_name, imports, owner, self_name, local: set[str]
) -> tuple[str, ...]:
    """Qualified names of the calls not awaited (awaited ones are delegates)."""
    awaited = {id(node.value) for node in nodes if isinstance(node, ast.Await)}
    found: set[str] = set()
    for node in nodes:
        if not isinstance(node, ast.Call) or id(node) in awaited:
            continue
        func = node.func
        if isinstance(func, ast.Name):
            if func.id not in local:
                found.add(_qualify(func.id, module_name, imports, owner))
        elif isinstance(func, ast.Attribute):
            target = _call_target(func, module_name, imports, owner, self_name, local)
            if target:
                found.add(target)
    return tuple(sorted(found))


def _session_factories(tree: ast.Module, module_name: str) -> Iterable[SessionFactory]:
    for node in tree.body:
        target = (
            node.targets[0]
            if isinstance(node, ast.Assign) and len(node.targets) == 1
            else getattr(node, "target", None)
        )
        value = getattr(node, "value", None)
        if not (isinstance(target, ast.Name) and isinstance(value, ast.Call)):
            continue
        called = ast_dotted_name(value.func) or ""
        name = called.rpartition(".")[2]
        is_async = name == "async_sessionmaker" or (
            name == "sessionmaker"
            and any(
                k.arg == "class_" and "AsyncSession" in ast.unparse(k.value)
                for k in value.keywords
            )
        )
        if is_async:
            yield SessionFactory(f"{module_name}.{target.id}")


def _decorator(node: ast.AST) -> str:
    return (
        node.id
        if isinstance(node, ast.Name)
        else node.attr
        if isinstance(node, ast.Attribute)
        else ""
    )


# The statements `_Walker` reads a binding from.
_BINDERS = frozenset((ast.Assign, ast.AnnAssign, ast.With, ast.AsyncWith))


class _Walker:
    """One function's sessions: where each local name used as a session comes from."""

    def __init__(
        self, nodes: list[ast.AST], params: list[str], self_name: str | None
    ) -> None:
        self.params = params
        self.self_name = self_name
        self.origins: dict[
            str, tuple[str, str]
        ] = {}  # local -> ("own"|"param"|"self"|"global", detail)
        self.assigned: dict[str, list[ast.AST]] = {}
        self.resolving: set[str] = (
            set()
        )  # names being followed: `x = x.parent` must not loop
        for node in nodes:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                self.assigned.setdefault(node.targets[0].id, []).append(node.value)
            elif (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.value is not None
            ):
                self.assigned.setdefault(node.target.id, []).append(node.value)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if isinstance(item.optional_vars, ast.Name):
                        self.origins[item.optional_vars.id] = self.origin_of_context(
                            item.context_expr
                        )
        for name, values in self.assigned.items():
            if name not in self.origins:
                self.origins[name] = self.origin_of_value(values[-1])

    def origin_of_context(self, expr: ast.AST) -> tuple[str, str]:
        """`async with X as name`: a session of its own, or one derived from elsewhere."""
        if isinstance(expr, ast.Call):
            func = expr.func
            method = func.attr if isinstance(func, ast.Attribute) else None
            if method in ("begin", "begin_nested") and isinstance(func, ast.Attribute):
                # engine.begin() opens a connection; session.begin() is the session's own.
                receiver = ast_dotted_name(func.value) or ""
                if "engine" in receiver.lower():
                    return ("own", receiver)
                return self.origin_of_value(func.value)
            factory = ast_dotted_name(func) or ""
            if not _DATABASE_FACTORY.search(factory):
                return (
                    "other",
                    factory,
                )  # redis.pipeline(), httpx.AsyncClient(): not a database session
            return ("own", factory)  # async_session(), engine.connect(), pool.acquire()
        return self.origin_of_value(expr)

    def origin_of_value(self, expr: ast.AST) -> tuple[str, str]:
        if isinstance(expr, ast.Await):
            return (
                "result",
                "",
            )  # `result = await session.execute(q)`: rows, not a session
        if isinstance(expr, ast.Call):
            func = expr.func
            head = _root(func)
            if isinstance(func, ast.Attribute) and func.attr in (
                "begin",
                "begin_nested",
            ):
                return self.origin_of_value(func.value)
            if head in self.params and not (
                isinstance(func, ast.Name)
                or (isinstance(func, ast.Attribute) and func.attr == "connect")
            ):
                return ("param", head)
            return ("own", ast_dotted_name(func) or "")
        head = _root(expr)
        if head is None:
            return ("own", "")
        if head == self.self_name and isinstance(expr, ast.Attribute):
            return ("self", _self_attr(expr))
        if head in self.params:
            return ("param", head)
        if head in self.origins:
            return self.origins[head]
        if head in self.assigned and head not in self.resolving:
            self.resolving.add(head)
            try:
                return self.origin_of_value(self.assigned[head][-1])
            finally:
                self.resolving.discard(head)
        return ("global", ast_dotted_name(expr) or head)

    def origin_of_receiver(self, expr: ast.AST) -> tuple[str, str]:
        head = _root(expr)
        if isinstance(expr, ast.Name) and head in self.origins:
            return self.origins[head]
        return self.origin_of_value(expr)


def _facts(
    function: ast.AsyncFunctionDef,
    qualname,
    owner,
    path,
    is_method,
    module_name,
    imports,
) -> SessionUse:
    args = function.args
    all_params = [a for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    self_name = all_params[0].arg if is_method and all_params else None
    params = [a.arg for a in all_params if a.arg != self_name]
    # Walked once, and split by what each reading looks at, each part in the walk's
    # order (the only order that matters: the bindings' among themselves, and the
    # session calls' among themselves).
    binders: list[ast.AST] = []  # what `_Walker` reads
    calls: list[ast.Call] = []
    awaits: list[ast.Await] = []
    raises: list[ast.Raise] = []
    for node in walk_own_body(function):
        kind = type(node)
        if kind is ast.Call:
            calls.append(node)
        elif kind is ast.Await:
            awaits.append(node)
        elif kind in _BINDERS:
            binders.append(node)
        elif kind is ast.Raise:
            raises.append(node)
    walker = _Walker(binders, params, self_name)
    session_params = {
        a.arg
        for a in all_params
        if a.arg != self_name
        and (SESSION_NAME.search(a.arg) or _annotated_as_session(a.annotation))
    }
    opens = queries = writes = False
    instance: str | None = None
    globals_: set[str] = set()
    delegates: set[str] = set()
    for node in awaits:
        if isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name):
            delegates.add(_qualify(node.value.func.id, module_name, imports, owner))
    for node in calls:
        if not isinstance(node.func, ast.Attribute):
            continue
        method = node.func.attr
        if not _is_session_call(node, method):
            continue
        kind, detail = walker.origin_of_receiver(node.func.value)
        if kind in ("result", "other"):
            continue
        if kind == "own":
            opens = True
        elif kind == "param":
            session_params.add(detail)
        elif kind == "self":
            instance = instance or detail
        else:
            globals_.add(_qualify(detail, module_name, imports, owner))
        if method in READ_METHODS:
            queries = True
            if (
                method in ("execute", "stream")
                and node.args
                and _is_dml(node.args[0], walker)
            ):
                writes = True
        else:
            writes = True
    for node in awaits:
        if isinstance(node.value, ast.Call) and isinstance(
            node.value.func, ast.Attribute
        ):
            call = node.value
            if (
                _is_session_call(call, call.func.attr)
                and walker.origin_of_receiver(call.func.value)[0] != "other"
            ):
                continue
            local = set(walker.assigned) | set(walker.origins) | set(params)
            target = _call_target(
                call.func, module_name, imports, owner, self_name, local
            )
            delegates.add(target or "?" + ast.unparse(call.func))
    delegates.discard("")
    local_names = set(walker.assigned) | set(walker.origins) | set(params)
    return SessionUse(
        qualname=qualname,
        name=function.name,
        owner=owner,
        path=path,
        line=function.lineno,
        params=tuple(params),
        opens_session=opens,
        session_params=tuple(sorted(session_params)),
        instance_session=instance,
        global_sessions=tuple(sorted(globals_)),
        queries=queries,
        writes=writes,
        delegates=tuple(sorted(delegates)),
        raises=_raised(raises),
        calls=_plain_calls(
            [*awaits, *calls], module_name, imports, owner, self_name, local_names
        ),
    )


def _annotated_as_session(annotation: ast.AST | None) -> bool:
    """`AsyncSession`, `Optional[AsyncSession]`, `"AsyncConnection"`, `Annotated[...]` ..."""
    if annotation is None:
        return False
    stack = [annotation]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and SESSION_TYPE.search(node.id + " "):
            return True
        if isinstance(node, ast.Attribute):
            if SESSION_TYPE.search(node.attr + " "):
                return True
            continue
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SESSION_TYPE.search(node.value)
        ):
            return True
        stack.extend(child_nodes(node))
    return False


def _is_session_call(call: ast.Call, method: str) -> bool:
    if method == "get":
        # session.get(Model, key), not dict.get(key) or client.get(url)
        return len(call.args) >= 2 and class_like(call.args[0])
    if method in ("delete", "refresh", "merge", "add"):
        # session.delete(obj), not sa.delete(Model) (a statement being built)
        return (
            len(call.args) == 1 and not call.keywords and not class_like(call.args[0])
        )
    if method == "query":
        return bool(call.args) and class_like(call.args[0])
    return method in READ_METHODS or method in WRITE_METHODS


def _is_dml(statement: ast.AST, walker: _Walker) -> bool:
    if isinstance(statement, ast.Name) and statement.id in walker.assigned:
        return any(_is_dml(value, walker) for value in walker.assigned[statement.id])
    head = statement
    while True:
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            return bool(_DML_TEXT.match(head.value))
        if isinstance(head, ast.JoinedStr):
            first = head.values[0] if head.values else None
            return isinstance(first, ast.Constant) and bool(
                _DML_TEXT.match(str(first.value))
            )
        if not isinstance(head, ast.Call):
            return False
        func = head.func
        name = called_name(func)
        if name in DML_CALLS:
            return True
        if name == "text" and head.args:
            head = head.args[0]
            continue
        head = func.value if isinstance(func, ast.Attribute) else None


def _call_target(
    func: ast.Attribute, module_name, imports, owner, self_name, local: set[str]
) -> str | None:
    """`Repo.get`, `crud.get_user`, `self.helper`, `Repo(session).get` by qualified name."""
    value = func.value
    if isinstance(value, ast.Call):
        value = value.func  # Repo(session).get -> Repo.get
    dotted = ast_dotted_name(value)
    if dotted is None:
        return None
    head, _, rest = dotted.partition(".")
    if head == self_name and owner is not None and not rest:
        return f"{owner}.{func.attr}"
    if head == self_name or head in local:
        return None  # self.repo.get, pipe.execute: the object's class is not known here
    return _qualify(f"{dotted}.{func.attr}", module_name, imports, owner)


def _qualify(
    dotted: str, module_name: str, imports: dict[str, str], owner: str | None
) -> str:
    head, _, rest = dotted.partition(".")
    if head in imports:
        return imports[head] + (f".{rest}" if rest else "")
    if head in ("cls",) and owner:
        return f"{owner}.{rest}"
    return f"{module_name}.{dotted}"


def _self_attr(expr: ast.Attribute) -> str:
    while isinstance(expr.value, ast.Attribute):
        expr = expr.value
    return expr.attr


def _root(expr: ast.AST) -> str | None:
    while isinstance(expr, (ast.Attribute, ast.Call, ast.Subscript)):
        expr = expr.func if isinstance(expr, ast.Call) else expr.value
    return expr.id if isinstance(expr, ast.Name) else None


@dataclass(frozen=True)
class Effects:
    """What a call does, as far as the index can tell (following delegates)."""

    writes: bool
    unknown: tuple[str, ...]  # calls whose effects are not known
    shared: tuple[str, ...]  # module-level sessions it uses
    uses_instance_session: str | None
    opens_session: bool


@dataclass
class SessionUseIndex:
    functions: dict[str, SessionUse] = field(default_factory=dict)
    factories: frozenset[str] = (
        frozenset()
    )  # qualified names of module-level sessionmakers
    raisers: dict[str, Raiser] = field(default_factory=dict)  # plain functions
    _resolved: dict = field(default_factory=dict, repr=False, compare=False)
    # Per table, built on first use: its entries by the last two and three segments of the
    # qualified name (what a dotted-suffix match compares).
    _by_suffix: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_facts(
        cls, facts: Iterable[SessionUse | SessionFactory | Raiser]
    ) -> "SessionUseIndex":
        facts = list(facts)
        return cls(
            {f.qualname: f for f in facts if isinstance(f, SessionUse)},
            frozenset(f.qualname for f in facts if isinstance(f, SessionFactory)),
            {f.qualname: f for f in facts if isinstance(f, Raiser)},
        )

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for qualname in sorted(self.functions):
            digest.update(repr(self.functions[qualname]).encode())
        for qualname in sorted(self.raisers):
            digest.update(repr(self.raisers[qualname]).encode())
        digest.update(repr(sorted(self.factories)).encode())
        return digest.hexdigest()

    def reference(self, value: object) -> str | None:
        """The name a function this index holds is known by, so that a read asking
        `effects(function)` can be noted and asked again (`engine/reads.py`); None for
        anything else."""
        if (
            isinstance(value, SessionUse)
            and self.functions.get(value.qualname) is value
        ):
            return value.qualname
        return None

    def referenced(self, name: str) -> SessionUse | None:
        """The function `reference` named `name`, in this index."""
        return self.functions.get(name) if type(name) is str else None

    def is_factory(self, qualified: str) -> bool:
        """A sessionmaker, by qualified name or a unique dotted suffix (`app.db.async_session`)."""
        if qualified in self.factories:
            return True
        parts = qualified.split(".")
        if len(parts) < 2:
            return False
        return len(self._suffix_matches(self.factories, parts, 2)) == 1

    def resolve(self, qualified: str) -> SessionUse | None:
        """By qualified name; else a unique dotted-suffix match (the module path differs)."""
        found = self._lookup(qualified, self.functions)
        return found if isinstance(found, SessionUse) else None

    def _lookup(self, qualified: str, table: dict):
        key = (qualified, id(table))
        if key in self._resolved:
            return self._resolved[key]
        found = table.get(qualified)
        if found is None:
            parts = qualified.split(".")
            for depth in (3, 2):
                if len(parts) < depth:
                    continue
                matches = self._suffix_matches(table, parts, depth)
                if len(matches) == 1:
                    found = matches[0]
                    break
        self._resolved[key] = found
        return found

    def _suffix_matches(self, table, parts: list[str], depth: int) -> list:
        """The entries of `table` whose name ends with `"." + ".".join(parts[-depth:])`."""
        index = self._by_suffix.get(id(table))
        if index is None:
            index = {}
            for name in table:
                segments = name.split(".")
                for size in (2, 3):
                    if (
                        len(segments) > size
                    ):  # "." + suffix: at least one segment before it
                        index.setdefault(tuple(segments[-size:]), []).append(name)
            self._by_suffix[id(table)] = index
        names = index.get(tuple(parts[-depth:]), [])
        return (
            names if isinstance(table, frozenset) else [table[name] for name in names]
        )

    def raises(self, function: SessionUse, depth: int = 4) -> str | None:
        """Why a call of `function` can raise by design: `raises HTTPException`, or
        `calls check_access(), which raises HTTPException`; None when nothing it runs
        (followed through awaited and plain calls to project functions) raises."""
        if function.raises:
            return f"raises `{function.raises}`"
        seen = {function.qualname}
        pending = [
            (name, name, depth) for name in (*function.delegates, *function.calls)
        ]
        while pending:
            name, via, left = pending.pop(0)
            if name in HARMLESS or name in seen or name.startswith("?") or left <= 0:
                continue
            seen.add(name)
            callee = self._lookup(name, self.functions) or self._lookup(
                name, self.raisers
            )
            if callee is None:
                continue  # a library's function: not taken to raise by design
            if callee.raises:
                how = f"`{via.rpartition('.')[2]}()`"
                if via == name:
                    return f"calls {how}, which raises `{callee.raises}`"
                return f"calls {how}, which leads to a `raise {callee.raises}`"
            delegates = getattr(callee, "delegates", ())
            pending.extend((d, via, left - 1) for d in (*delegates, *callee.calls))
        return None

    def effects(self, function: SessionUse, depth: int = 4) -> Effects:
        writes = function.writes
        unknown: list[str] = []
        shared = list(function.global_sessions)
        opens = function.opens_session
        seen = {function.qualname}
        pending = [(d, depth) for d in function.delegates]
        while pending:
            name, left = pending.pop()
            if name in HARMLESS or name in seen:
                continue
            seen.add(name)
            callee = None if name.startswith("?") else self.resolve(name)
            if callee is None or left <= 0:
                unknown.append(name.lstrip("?"))
                continue
            writes = writes or callee.writes
            shared.extend(callee.global_sessions)
            opens = opens or callee.opens_session
            pending.extend((d, left - 1) for d in callee.delegates)
        return Effects(
            writes,
            tuple(sorted(set(unknown))),
            tuple(sorted(set(shared))),
            function.instance_session,
            opens,
        )
