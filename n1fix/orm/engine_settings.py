"""How a project builds its engines and sessions, read from one module's `ast` tree: each
`create_engine(...)` / `create_async_engine(...)` / `engine_from_config(...)` with the
pool settings it passes, Flask-SQLAlchemy's `engine_options` and
`SQLALCHEMY_ENGINE_OPTIONS`, the sessionmakers and `scoped_session` registries, the
sessions and connections opened with `with`, and the frameworks the module imports (a
web application, a worker, asyncio). The audit's connection review judges them.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from n1fix.cst.astwalk import ast_dotted_name, function_spans

ENGINE_MAKERS = {
    "sqlalchemy.create_engine": "create_engine",
    "sqlalchemy.engine.create_engine": "create_engine",
    "sqlalchemy.engine_from_config": "engine_from_config",
    "sqlalchemy.engine.engine_from_config": "engine_from_config",
    "sqlalchemy.ext.asyncio.create_async_engine": "create_async_engine",
    "sqlalchemy.ext.asyncio.async_engine_from_config": "async_engine_from_config",
}
FLASK_SQLALCHEMY = "flask_sqlalchemy.SQLAlchemy"
POOL_SETTINGS = (
    "pool_size",
    "max_overflow",
    "pool_timeout",
    "pool_recycle",
    "pool_pre_ping",
    "poolclass",
    "pool_use_lifo",
    "connect_args",
)
# Frameworks by the top-level module a project imports, and what they make of it.
WEB = {
    "fastapi": "FastAPI",
    "flask": "Flask",
    "django": "Django",
    "starlette": "Starlette",
    "aiohttp": "aiohttp",
    "sanic": "Sanic",
    "tornado": "Tornado",
    "litestar": "Litestar",
    "quart": "Quart",
    "falcon": "Falcon",
    "pyramid": "Pyramid",
}
WORKERS = {"celery": "Celery", "rq": "RQ", "dramatiq": "Dramatiq", "arq": "arq"}
_STATEMENT_TIMEOUT = re.compile(r"statement_timeout|command_timeout|max_execution_time")
_URL = re.compile(
    r"^(postgresql|postgres|sqlite|mysql|mariadb|oracle|mssql)(?:\+\w+)?://"
)
_DIALECTS = {"postgres": "postgresql", "mariadb": "mysql"}


@dataclass
class EngineSite:
    line: int
    maker: (
        str  # create_engine, create_async_engine, engine_from_config, Flask-SQLAlchemy
    )
    function: str | None  # the function it is built in; None at module level
    settings: dict[str, str]  # pool keyword -> its source text
    dialect: str | None  # from a URL written in the call
    unknown: bool  # `**kwargs`: settings n1fix cannot read
    statement_timeout: bool  # connect_args / options set a statement timeout

    @property
    def is_async(self) -> bool:
        return "async" in self.maker


@dataclass
class ModuleSettings:
    engines: list[EngineSite] = field(default_factory=list)
    sessionmakers: list[int] = field(default_factory=list)  # lines
    registries: list[int] = field(default_factory=list)  # scoped_session lines
    with_opens: int = 0  # sessions / connections opened in a `with`
    frameworks: set[str] = field(default_factory=set)
    workers: set[str] = field(default_factory=set)
    dialects: set[str] = field(default_factory=set)  # from URLs anywhere in the module


def read_settings(tree: ast.Module, imports: dict[str, str]) -> ModuleSettings:
    found = ModuleSettings()
    for qualified in imports.values():
        top = qualified.split(".")[0]
        if top in WEB:
            found.frameworks.add(WEB[top])
        if top in WORKERS:
            found.workers.add(WORKERS[top])
    functions = function_spans(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = _URL.match(node.value)
            if match:
                found.dialects.add(_DIALECTS.get(match[1], match[1]))
        if isinstance(node, (ast.With, ast.AsyncWith)):
            found.with_opens += sum(
                1 for item in node.items if _opens(item.context_expr, imports)
            )
        if isinstance(node, ast.Assign) and _is_engine_options(node):
            found.engines.append(
                _site(node.lineno, "Flask-SQLAlchemy", node.value, functions, None)
            )
        if not isinstance(node, ast.Call):
            continue
        name = _qualified(node.func, imports)
        if name in ENGINE_MAKERS:
            found.engines.append(
                _site(node.lineno, ENGINE_MAKERS[name], node, functions, node.keywords)
            )
        elif name == FLASK_SQLALCHEMY:
            options = next(
                (k.value for k in node.keywords if k.arg == "engine_options"), None
            )
            if options is not None:
                found.engines.append(
                    _site(node.lineno, "Flask-SQLAlchemy", options, functions, None)
                )
        elif name and name.rpartition(".")[2] in ("sessionmaker", "async_sessionmaker"):
            found.sessionmakers.append(node.lineno)
        elif name and name.rpartition(".")[2] == "scoped_session":
            found.registries.append(node.lineno)
    return found


def _qualified(func: ast.AST, imports: dict[str, str]) -> str | None:
    name = ast_dotted_name(func)
    if name is None:
        return None
    head, dot, rest = name.partition(".")
    return imports[head] + dot + rest if head in imports else None


def _opens(expr: ast.AST, imports: dict[str, str]) -> bool:
    """`Session(...)`, `SessionLocal()`, `engine.connect()`, `engine.begin()`,
    `pool.acquire()`: a session or connection the `with` closes (by its spelling)."""
    if not isinstance(expr, ast.Call):
        return False
    name = _qualified(expr.func, imports) or ast_dotted_name(expr.func) or ""
    last = name.rpartition(".")[2]
    if name.startswith("sqlalchemy") and last in ("Session", "AsyncSession"):
        return True
    if last in ("connect", "begin", "acquire"):
        return "engine" in name.lower() or "pool" in name.lower()
    return bool(re.search(r"(?i)session", last)) and not name.startswith("requests")


def _is_engine_options(node: ast.Assign) -> bool:
    return isinstance(node.value, ast.Dict) and any(
        (isinstance(t, ast.Name) and t.id == "SQLALCHEMY_ENGINE_OPTIONS")
        or (
            isinstance(t, ast.Subscript)
            and isinstance(t.slice, ast.Constant)
            and t.slice.value == "SQLALCHEMY_ENGINE_OPTIONS"
        )
        for t in node.targets
    )


def _site(line, maker, node, functions, keywords) -> EngineSite:
    settings: dict[str, str] = {}
    unknown = False
    timeout = False
    dialect = None
    if keywords is not None:
        for keyword in keywords:
            if keyword.arg is None:
                unknown = True
            elif keyword.arg in POOL_SETTINGS:
                settings[keyword.arg] = ast.unparse(keyword.value)
            if keyword.arg in ("connect_args", "execution_options") or (
                keyword.arg is None
            ):
                timeout = timeout or bool(
                    _STATEMENT_TIMEOUT.search(ast.unparse(keyword.value))
                )
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            match = _URL.match(first.value)
            if match:
                dialect = _DIALECTS.get(match[1], match[1])
    elif isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if key is None:
                unknown = True
            elif isinstance(key, ast.Constant) and key.value in POOL_SETTINGS:
                settings[key.value] = ast.unparse(value)
        timeout = bool(_STATEMENT_TIMEOUT.search(ast.unparse(node)))
    else:
        unknown = True
    return EngineSite(
        line,
        maker,
        _function_at(functions, line),
        settings,
        dialect,
        unknown,
        timeout,
    )


def _function_at(spans, line: int) -> str | None:
    around = [s for s in spans if s[0] <= line <= s[1]]
    return max(around, key=lambda s: s[0])[2] if around else None
