"""Which calls open a database session or connection that the caller must close.

    Session(engine)  /  AsyncSession(engine)        sqlalchemy.orm / sqlalchemy.ext.asyncio
    SessionLocal()   SessionLocal = sessionmaker(...) here, in the function, or in the
                     project module it is imported from (async_sessionmaker likewise)
    sessionmaker(bind=engine)()
    engine.connect() / engine.begin()               engine = create_engine(...) (or
                     create_async_engine), or a parameter annotated `Engine` / `AsyncEngine`
    sqlite3.connect / psycopg.connect / psycopg2.connect / asyncpg.connect
    pool.acquire()   pool = await asyncpg.create_pool(...), or annotated `asyncpg.Pool`

What is not proven to be one of these is not an opener: a `scoped_session` registry
(`Session = scoped_session(...)`, Flask-SQLAlchemy's `db.session`) hands out the session
its registry owns, which the framework removes at the end of the request; a name whose
binding n1fix cannot see is unknown, and unknown is not reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from n1fix.cst.chains import dotted_name
from n1fix.cst.method_syntax import named_params
from n1fix.rules.connection_leak.gate import (  # noqa: F401 - re-exported
    FACTORY_NAME,
    OPENER_METHODS,
    SAME_OBJECT,
)

# What an opener gives, and so how it is closed.
SESSION, ASYNC_SESSION = "session", "async session"
CONNECTION, ASYNC_CONNECTION = "connection", "async connection"
BEGIN = "engine.begin()"
DBAPI, ASYNCPG, ACQUIRE = "dbapi", "asyncpg", "acquire"
# Not known yet: a release or a `with` of it may close it (what escapes does not depend
# on what it is).
ANY = "any"

# What a name can be bound to (the call that made it).
SESSIONMAKER, ASYNC_SESSIONMAKER = "sessionmaker", "async_sessionmaker"
ENGINE, ASYNC_ENGINE, POOL = "engine", "async engine", "pool"

_SESSION_CLASSES = {"sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session"}
_ASYNC_SESSION_CLASSES = {
    "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlalchemy.ext.asyncio.session.AsyncSession",
}
_MAKERS = {
    "sqlalchemy.orm.sessionmaker": SESSIONMAKER,
    "sqlalchemy.orm.session.sessionmaker": SESSIONMAKER,
    "sqlalchemy.ext.asyncio.async_sessionmaker": ASYNC_SESSIONMAKER,
    "sqlalchemy.ext.asyncio.session.async_sessionmaker": ASYNC_SESSIONMAKER,
    "sqlalchemy.create_engine": ENGINE,
    "sqlalchemy.engine.create_engine": ENGINE,
    "sqlalchemy.engine_from_config": ENGINE,
    "sqlalchemy.engine.engine_from_config": ENGINE,
    "sqlalchemy.ext.asyncio.create_async_engine": ASYNC_ENGINE,
    "sqlalchemy.ext.asyncio.async_engine_from_config": ASYNC_ENGINE,
    "sqlalchemy.ext.asyncio.engine.create_async_engine": ASYNC_ENGINE,
    "asyncpg.create_pool": POOL,
}
# The same, read in another module of the project by the called name alone.
_MAKER_NAMES = {
    "sessionmaker": SESSIONMAKER,
    "async_sessionmaker": ASYNC_SESSIONMAKER,
    "create_engine": ENGINE,
    "create_async_engine": ASYNC_ENGINE,
    "engine_from_config": ENGINE,
}
_ANNOTATIONS = {
    "sqlalchemy.Engine": ENGINE,
    "sqlalchemy.engine.Engine": ENGINE,
    "sqlalchemy.engine.base.Engine": ENGINE,
    "sqlalchemy.ext.asyncio.AsyncEngine": ASYNC_ENGINE,
    "sqlalchemy.orm.sessionmaker": SESSIONMAKER,
    "sqlalchemy.ext.asyncio.async_sessionmaker": ASYNC_SESSIONMAKER,
    "asyncpg.Pool": POOL,
    "asyncpg.pool.Pool": POOL,
}
DBAPI_CONNECTS = {
    "sqlite3.connect": "sqlite3",
    "psycopg.connect": "psycopg",
    "psycopg2.connect": "psycopg2",
}
# An imported name is looked up in its project module only when it reads like a
# sessionmaker or an engine (`FACTORY_NAME`: a module's LibCST parse is dear; the gate
# asks the same). The gate reads the opening statement's shape too (`OPENER_METHODS`,
# `SAME_OBJECT`).


@dataclass(frozen=True)
class Opener:
    kind: str
    call: cst.Call
    driver: str | None = None  # for DBAPI: sqlite3, psycopg, psycopg2
    source: str | None = None  # for ACQUIRE: the pool (`pool`), which releases


def qualified(ctx, expr: cst.BaseExpression) -> str | None:
    """The imported name an expression spells (`sa.orm.Session` -> `sqlalchemy.orm.Session`)."""
    name = dotted_name(expr)
    if name is None:
        return None
    head, dot, rest = name.partition(".")
    if head not in ctx.imports:
        return None
    return ctx.imports[head] + dot + rest


def opener(ctx, call: cst.Call, function: cst.FunctionDef | None) -> Opener | None:
    """What `call` opens, when it is proven to open a session or connection."""
    func = call.func
    if isinstance(func, cst.Name) and _defined_here(ctx.module, func.value):
        return None  # a class or function of this module (indico's `Session` model)
    name = qualified(ctx, func)
    if name in _SESSION_CLASSES:
        return Opener(SESSION, call)
    if name in _ASYNC_SESSION_CLASSES:
        return Opener(ASYNC_SESSION, call)
    if name in DBAPI_CONNECTS:
        return Opener(DBAPI, call, driver=DBAPI_CONNECTS[name])
    if name == "asyncpg.connect":
        return Opener(ASYNCPG, call)
    if isinstance(func, cst.Call):
        made = _made_by(ctx, func)
        if made in (SESSIONMAKER, ASYNC_SESSIONMAKER):
            return Opener(SESSION if made == SESSIONMAKER else ASYNC_SESSION, call)
        return None
    if isinstance(func, cst.Name):
        bound = binding(ctx, func.value, function)
        if bound == SESSIONMAKER:
            return Opener(SESSION, call)
        if bound == ASYNC_SESSIONMAKER:
            return Opener(ASYNC_SESSION, call)
        return None
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        method = func.attr.value
        bound = binding(ctx, func.value.value, function)
        if method == "connect" and bound == ENGINE:
            return Opener(CONNECTION, call)
        if method == "connect" and bound == ASYNC_ENGINE:
            return Opener(ASYNC_CONNECTION, call)
        if method == "begin" and bound in (ENGINE, ASYNC_ENGINE):
            return Opener(BEGIN, call)
        if method == "acquire" and bound == POOL:
            return Opener(ACQUIRE, call, source=func.value.value)
    return None


def _defined_here(module: cst.Module, name: str) -> bool:
    return any(_binds(statement, name) for statement in module.body)


def _made_by(ctx, call: cst.Call) -> str | None:
    """What a call makes (a sessionmaker, an engine, a pool), by its imported name;
    `sessionmaker(class_=AsyncSession)` makes async sessions."""
    made = _MAKERS.get(qualified(ctx, call.func) or "")
    if made == SESSIONMAKER and _makes_async(ctx, call):
        return ASYNC_SESSIONMAKER
    return made


def _makes_async(ctx, call: cst.Call) -> bool:
    return any(
        arg.keyword is not None
        and arg.keyword.value == "class_"
        and "AsyncSession" in ctx.code(arg.value)
        for arg in call.args
    )


def binding(ctx, name: str, function: cst.FunctionDef | None) -> str | None:
    """What the name `name` holds where `function` reads it: a sessionmaker, an engine or
    a pool, when every binding of it that n1fix can see says the same; else None."""
    if function is not None:
        for param in named_params(function.params):
            if param.name.value == name:
                if param.annotation is None:
                    return None
                return _annotated(ctx, param.annotation.annotation)
        local = _bound_in(ctx, function.body, name)
        if local is not _UNBOUND:
            return local
    here = _bound_in(ctx, ctx.module, name, top_level=True)
    if here is not _UNBOUND:
        return here
    target = ctx.imports.get(name)
    if target is None or "." not in target or not FACTORY_NAME.search(name):
        return None
    module_name, _, attr = target.rpartition(".")
    module = ctx.project_module(module_name)
    if module is None:
        return None
    return _bound_elsewhere(module, attr)


_UNBOUND = object()


def _annotated(ctx, annotation: cst.BaseExpression) -> str | None:
    if isinstance(annotation, cst.Subscript):  # sessionmaker[Session]
        annotation = annotation.value
    if isinstance(annotation, cst.SimpleString):
        return None
    return _ANNOTATIONS.get(qualified(ctx, annotation) or "")


def _bound_in(ctx, scope: cst.CSTNode, name: str, top_level: bool = False):
    """What the assignments to `name` in `scope` make (None when they disagree or make
    something else), or _UNBOUND when nothing there assigns it."""
    statements = (
        scope.body if top_level else list(_own_statements(scope))
    )  # a module's top level; a function's whole body
    made: set[str | None] = set()
    imported = False
    for statement in statements:
        if not isinstance(statement, cst.SimpleStatementLine):
            if top_level and _binds(statement, name):
                made.add(None)  # a def or class of the same name
            continue
        for small in statement.body:
            value = _assigned_value(small, name)
            if value is _UNBOUND:
                imported = imported or (top_level and _imports_name(small, name))
                continue
            if isinstance(value, cst.Await):
                value = value.expression
            made.add(_made_by(ctx, value) if isinstance(value, cst.Call) else None)
    if not made:
        return _UNBOUND
    if imported:
        return None  # imported and assigned: which one a call reads is not known
    return made.pop() if len(made) == 1 else None


def _bound_elsewhere(module: cst.Module, name: str) -> str | None:
    """What a top-level `name = maker(...)` of another project module makes, read by the
    called name (`sessionmaker`, `create_engine`: the module's own imports are not read)."""
    made: set[str | None] = set()
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            if _binds(statement, name):
                made.add(None)
            continue
        for small in statement.body:
            value = _assigned_value(small, name)
            if value is _UNBOUND:
                continue
            if isinstance(value, cst.Call):
                called = dotted_name(value.func) or ""
                kind = _MAKER_NAMES.get(called.rpartition(".")[2])
                if kind == SESSIONMAKER and any(
                    a.keyword is not None
                    and a.keyword.value == "class_"
                    and "AsyncSession" in module.code_for_node(a.value)
                    for a in value.args
                ):
                    kind = ASYNC_SESSIONMAKER
                made.add(kind)
            else:
                made.add(None)
    return made.pop() if len(made) == 1 else None


def _assigned_value(small: cst.BaseSmallStatement, name: str):
    if isinstance(small, cst.Assign):
        if any(
            isinstance(t.target, cst.Name) and t.target.value == name
            for t in small.targets
        ):
            return small.value
        if any(_in_target(t.target, name) for t in small.targets):
            return None  # unpacked: not read
        return _UNBOUND
    if (
        isinstance(small, cst.AnnAssign)
        and isinstance(small.target, cst.Name)
        and small.target.value == name
    ):
        return small.value if small.value is not None else _UNBOUND
    return _UNBOUND


def _in_target(target: cst.BaseExpression, name: str) -> bool:
    if isinstance(target, cst.Name):
        return target.value == name
    if isinstance(target, (cst.Tuple, cst.List)):
        return any(_in_target(e.value, name) for e in target.elements)
    if isinstance(target, cst.StarredElement):
        return _in_target(target.value, name)
    return False


def _imports_name(small: cst.BaseSmallStatement, name: str) -> bool:
    if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(
        small.names, cst.ImportStar
    ):
        for alias in small.names:
            bound = alias.asname.name if alias.asname else alias.name
            if isinstance(bound, cst.Name) and bound.value == name:
                return True
            if dotted_name(bound) and dotted_name(bound).split(".")[0] == name:
                return True
    return False


def _binds(statement: cst.BaseCompoundStatement, name: str) -> bool:
    return (
        isinstance(statement, (cst.FunctionDef, cst.ClassDef))
        and statement.name.value == name
    )


def _own_statements(block: cst.CSTNode):
    """Every simple statement line of a function body, nested blocks included, not
    entering nested functions or classes."""
    stack = [block]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.SimpleStatementLine):
            yield node
            continue
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            continue
        stack.extend(reversed(list(_blocks_of(node))))


def _blocks_of(node: cst.CSTNode):
    from n1fix.cst.syntax import children

    for child in children(node):
        if isinstance(
            child, (cst.BaseSuite, cst.BaseStatement, cst.BaseCompoundStatement)
        ):
            yield child
        elif isinstance(child, (cst.Else, cst.ExceptHandler, cst.Finally, cst.If)):
            yield child
