"""What one awaited call does, seen from its call site: sessions, writes, what it reads.

The session-use index (`n1fix.orm.session_use`) knows what project `async def`s do with
sessions; here a call is matched to one and its arguments to the caller's sessions:
`UsersRepo.get(session, id)` shares the caller's `session`, `AuthDAL.get_user_by_id(id)`
opens its own, `fetch_badges(id)` (a parameter) is unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst

from n1fix.analysis.http_clients import http_clients, request_of
from n1fix.analysis.http_methods import READ_REQUESTS
from n1fix.cst.chains import dotted_name
from n1fix.cst.method_syntax import named_params
from n1fix.cst.syntax import all_names, children, walk, walk_kinds
from n1fix.orm.session_use import (
    HARMLESS,
    READ_METHODS,
    SESSION_NAME,
    SESSION_TYPE,
    WRITE_METHODS,
)

_DML = re.compile(
    r"\b(insert|update|delete)\s*\("
    r"|^\s*[rbuf]*['\"]{1,3}\s*(insert\s+into|update\s+\S+\s+set|delete\s+from|create\s+\w|drop\s+\w|alter\s+\w"
    r"|truncate\s+\w|notify\s+\w|lock\s+table)",
    re.I,
)
# Calls that are safe to evaluate early: they read their arguments and nothing else.
_PURE_BUILTINS = frozenset(
    {
        "len",
        "str",
        "int",
        "float",
        "bool",
        "tuple",
        "list",
        "set",
        "frozenset",
        "dict",
        "min",
        "max",
        "sorted",
        "abs",
        "round",
        "repr",
        "sum",
        "any",
        "all",
        "isinstance",
    }
)


@dataclass
class AwaitedCall:
    """One statement of a run: `x = await f(...)`, `x: T = await f(...)` or `await f(...)`."""

    statement: cst.SimpleStatementLine
    target: str | None
    annotation: cst.Annotation | None
    call: cst.Call
    label: str  # `AuthDAL.get_user_by_id()`
    database: bool = (
        False  # talks to the database (a session method or a project DAL call)
    )
    queries: bool = (
        False  # runs a statement itself (a session method, or a callee that does)
    )
    seen: bool = (
        False  # n1fix sees what it is: a session method, an indexed or a local function
    )
    own_session: bool = False  # every statement it runs is on a session it opens
    writes: str | None = None  # why it counts as a write
    unknown: str | None = None  # why its effects are not known
    sessions: dict[str, str] = field(
        default_factory=dict
    )  # shared object -> how it is used
    reads: set[str] = field(default_factory=set)  # names the awaited expression reads
    effects: str | None = None  # an argument that has effects of its own
    pause: bool = False  # asyncio.sleep: waits on purpose
    raises: str | None = (
        None  # why it can raise by design (a gate: `raise HTTPException(403)`)
    )
    client: str | None = None  # the HTTP client it sends a request through

    @property
    def round_trip(self) -> bool:
        """It waits on another server: the database, or an HTTP request."""
        return self.database or self.client is not None

    @property
    def may_raise(self) -> str | None:
        """Why it may raise: by design, or because n1fix cannot see everything it runs."""
        if self.raises:
            return f"{self.label} {self.raises}"
        if self.unknown:
            return f"{self.label} may raise ({self.unknown})"
        return None


def awaited_statement(
    statement: cst.CSTNode,
) -> tuple[str | None, cst.Annotation | None, cst.Call] | None:
    """(target, annotation, call) of a one-statement line awaiting a call, else None."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    target: str | None = None
    annotation = None
    if isinstance(small, cst.Expr):
        value = small.value
    elif isinstance(small, cst.Assign):
        if len(small.targets) != 1 or not isinstance(small.targets[0].target, cst.Name):
            return None
        target, value = small.targets[0].target.value, small.value
    elif isinstance(small, cst.AnnAssign):
        if not isinstance(small.target, cst.Name) or small.value is None:
            return None
        target, annotation, value = small.target.value, small.annotation, small.value
    else:
        return None
    if (
        not isinstance(value, cst.Await)
        or value.lpar
        or not isinstance(value.expression, cst.Call)
    ):
        return None
    return target, annotation, value.expression


# The nodes `CallerScope.of` reads.
_SCOPE_FACTS = frozenset({cst.Call, cst.FunctionDef, cst.Assign, cst.WithItem})


@dataclass
class CallerScope:
    """The enclosing `async def`: which of its names and attributes are sessions."""

    module_name: str
    imports: dict[str, str]
    owner: str | None  # qualified class of a method
    self_name: str | None
    sessions: set[str]  # dotted names used or declared as a session or connection
    declared: set[str]  # of those, the ones named, annotated or opened as one
    local_functions: dict[str, cst.FunctionDef]
    assigned: dict[str, list[cst.BaseExpression]]
    clients: dict[str, str] = field(default_factory=dict)  # name -> HTTP client class

    @classmethod
    def of(cls, ctx, function: cst.FunctionDef, owner: str | None) -> "CallerScope":
        params = named_params(function.params)
        self_name = (
            params[0].name.value
            if owner and params and not _is_static(function)
            else None
        )
        declared: set[str] = set()
        for param in params:
            name = param.name.value
            annotation = (
                ctx.code(param.annotation.annotation) if param.annotation else ""
            )
            if name != self_name and (
                SESSION_NAME.search(name) or SESSION_TYPE.search(annotation)
            ):
                declared.add(name)
        sessions: set[str] = set()
        local_functions: dict[str, cst.FunctionDef] = {}
        assigned: dict[str, list[cst.BaseExpression]] = {}
        for node in walk_kinds(function.body, _SCOPE_FACTS):
            if (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and _session_method(node)
            ):
                receiver = dotted_name(node.func.value)
                if receiver is not None and not _is_result(receiver, assigned):
                    sessions.add(receiver)
            elif isinstance(node, cst.FunctionDef):
                local_functions[node.name.value] = node
            elif (
                isinstance(node, cst.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0].target, cst.Name)
            ):
                assigned.setdefault(node.targets[0].target.value, []).append(node.value)
            elif (
                isinstance(node, cst.WithItem)
                and node.asname is not None
                and isinstance(node.asname.name, cst.Name)
            ):
                name = node.asname.name.value
                if SESSION_NAME.search(name):
                    declared.add(name)
        sessions = {s for s in sessions | declared if not _is_result(s, assigned)}
        return cls(
            ctx.module_name,
            ctx.imports,
            owner,
            self_name,
            sessions,
            declared,
            local_functions,
            assigned,
            http_clients(ctx, function, _local_class(ctx, owner), self_name),
        )

    def is_session(self, expr: cst.BaseExpression) -> str | None:
        """The dotted name of `expr` when it is one of the caller's sessions."""
        name = dotted_name(expr)
        if name is None:
            return None
        last = name.rpartition(".")[2]
        if name in self.sessions or SESSION_NAME.search(last):
            return name
        return None

    def qualify(self, dotted: str) -> str:
        head, _, rest = dotted.partition(".")
        if head == self.self_name and self.owner is not None:
            return f"{self.owner}.{rest}" if rest and "." not in rest else ""
        if head in self.imports:
            return self.imports[head] + (f".{rest}" if rest else "")
        return f"{self.module_name}.{dotted}"


def _local_class(ctx, owner: str | None) -> str | None:
    """`app.api.Client.Inner` -> `Client.Inner`: the class's path in this module."""
    prefix = f"{ctx.module_name}."
    return owner[len(prefix) :] if owner and owner.startswith(prefix) else None


def _is_static(function: cst.FunctionDef) -> bool:
    return any(dotted_name(d.decorator) == "staticmethod" for d in function.decorators)


def _is_result(name: str, assigned: dict[str, list[cst.BaseExpression]]) -> bool:
    """`result = await session.execute(q)`: `result` holds rows, not a session."""
    values = assigned.get(name)
    return bool(values) and all(isinstance(v, cst.Await) for v in values)


def _session_method(call: cst.Call) -> bool:
    method = call.func.attr.value
    if method == "get":
        return len(call.args) >= 2 and _class_like(call.args[0].value)
    if method in ("delete", "refresh", "merge", "add"):
        # session.delete(obj), not sa.delete(Model) (a statement being built)
        return (
            len(call.args) == 1
            and call.args[0].keyword is None
            and not _class_like(call.args[0].value)
        )
    if method == "query":
        return bool(call.args) and _class_like(call.args[0].value)
    return method in READ_METHODS or method in WRITE_METHODS


def _class_like(expr: cst.BaseExpression) -> bool:
    name = dotted_name(expr)
    last = name.rpartition(".")[2] if name else ""
    return last[:1].isupper() and not last.isupper()


def describe(
    ctx, scope: CallerScope, statement, target, annotation, call: cst.Call
) -> AwaitedCall:
    func_text = dotted_name(call.func) or _chain_text(ctx, call.func)
    member = AwaitedCall(statement, target, annotation, call, f"`{func_text}()`")
    member.reads = all_names(call)
    member.effects = _effectful(ctx, call)
    for arg_expr in _passed(call):
        key = scope.is_session(arg_expr)
        if key is not None:
            member.sessions[key] = f"passes `{key}`"
            member.database = True
        if _is_dml_text(ctx, scope, arg_expr):
            # `execute_query('DELETE FROM ...')`: a generic helper told to write
            member.writes = f"{member.label} is given a write statement"
            member.database = True
    request = request_of(call, scope.clients)
    if request is not None:
        _http_request(member, *request)
        return member
    if isinstance(call.func, cst.Attribute) and _session_method(call):
        receiver = scope.is_session(call.func.value)
        if receiver is not None:
            _direct(ctx, scope, member, receiver)
            return member
    qualified = scope.qualify(dotted_name(_callee_path(call.func)) or "")
    if qualified in HARMLESS:
        member.pause = True
        return member
    index = ctx.project.session_use
    callee = index.resolve(qualified) if index is not None and qualified else None
    if callee is None:
        local = scope.local_functions.get(func_text)
        member.seen = local is not None
        if local is not None:
            raised = _raised_in(ctx, local)
            if raised:
                member.raises = f"raises `{raised}`"
            for name in sorted(all_names(local.body) & scope.sessions):
                member.sessions[name] = f"closes over `{name}`"
                member.database = True
        member.unknown = f"{member.label} is not a project function n1fix has indexed"
        return member
    member.seen = True
    effects = index.effects(callee)
    for param in callee.session_params:
        arg = _argument_for(call, callee.params, param)
        if arg is not None:
            key = dotted_name(arg) or ctx.code(arg)
            member.sessions.setdefault(key, f"passes `{key}` as `{param}`")
    if callee.instance_session is not None:
        holder = _receiver_text(ctx, call.func)
        key = (
            f"{holder}.{callee.instance_session}"
            if holder
            else f"self.{callee.instance_session}"
        )
        member.sessions.setdefault(key, f"uses `{key}`, the session its object holds")
    for shared in effects.shared:
        member.sessions.setdefault(shared, f"uses the module-level session `{shared}`")
    if effects.writes:
        member.writes = f"{member.label} writes"
    if effects.unknown:
        member.unknown = f"{member.label} calls `{effects.unknown[0]}()`, which n1fix cannot see into"
    member.raises = index.raises(callee)
    member.own_session = effects.opens_session and not member.sessions
    member.queries = callee.queries
    member.database = bool(
        member.database
        or callee.queries
        or effects.opens_session
        or member.sessions
        or effects.writes
    )
    return member


def _http_request(member: AwaitedCall, client: str, method: str) -> None:
    """A request on a client that serves concurrent requests: not a session it shares.
    Only GET, HEAD and OPTIONS leave the server as it was."""
    member.client = client
    member.seen = True
    if method not in READ_REQUESTS:
        member.writes = (
            f"{member.label} sends a request that may change what the server holds"
        )


def _raised_in(ctx, function: cst.FunctionDef) -> str | None:
    """The first exception a local function's own body raises (not a bare `raise`)."""
    for node in walk(function.body):
        if isinstance(node, cst.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, cst.Call) else node.exc
            return dotted_name(exc) or ctx.code(exc)
    return None


def _direct(ctx, scope, member: AwaitedCall, receiver: str) -> None:
    method = member.call.func.attr.value
    member.database = member.queries = member.seen = True
    member.sessions[receiver] = f"calls `{receiver}.{method}()`"
    if receiver not in scope.declared and not SESSION_NAME.search(
        receiver.rpartition(".")[2]
    ):
        member.unknown = f"n1fix cannot tell what `{receiver}` is (it is not named or annotated as a session)"
    if method not in READ_METHODS:
        member.writes = f"`{receiver}.{method}()` writes"
    elif method in ("execute", "stream") and member.call.args:
        statement = member.call.args[0].value
        texts = [ctx.code(statement)]
        name = dotted_name(statement)
        if name in scope.assigned:
            texts += [ctx.code(v) for v in scope.assigned[name]]
        if any(_DML.search(t) for t in texts):
            member.writes = f"`{receiver}.{method}()` runs a write statement"


def _is_dml_text(ctx, scope: CallerScope, expr: cst.BaseExpression) -> bool:
    values = [expr]
    if isinstance(expr, cst.Name):
        values = scope.assigned.get(expr.value, [])
    return any(
        isinstance(v, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString))
        and _DML.search(ctx.code(v))
        for v in values
    )


def _passed(call: cst.Call):
    """Every argument, including those given to a constructor in the receiver chain."""
    func = call.func
    while isinstance(func, (cst.Attribute, cst.Call)):
        if isinstance(func, cst.Call):
            yield from (a.value for a in func.args)
            func = func.func
        else:
            func = func.value
    yield from (a.value for a in call.args)


def _callee_path(func: cst.BaseExpression) -> cst.BaseExpression:
    """`Repo(session).get` -> `Repo.get` (the method of the constructed class)."""
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
        return func.with_changes(value=func.value.func)
    return func


def _receiver_text(ctx, func: cst.BaseExpression) -> str | None:
    if isinstance(func, cst.Attribute):
        return ctx.code(func.value)
    return None


def _chain_text(ctx, func: cst.BaseExpression) -> str:
    text = ctx.code(func)
    return (
        text
        if len(text) <= 60 and "\n" not in text
        else (dotted_name(_callee_path(func)) or "call")
    )


def _argument_for(
    call: cst.Call, params: tuple[str, ...], param: str
) -> cst.BaseExpression | None:
    if any(arg.star for arg in call.args):
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == param:
            return arg.value
    positional = [arg.value for arg in call.args if arg.keyword is None]
    if param not in params:
        return None
    index = params.index(param)
    return positional[index] if index < len(positional) else None


def _effectful(ctx, call: cst.Call) -> str | None:
    """The first argument (or receiver part) whose evaluation may have effects."""
    for expr in _passed(call):
        bad = impure(expr)
        if bad is not None:
            return ctx.code(bad)
    return None


def impure(expr: cst.CSTNode) -> cst.CSTNode | None:
    if isinstance(
        expr,
        (
            cst.Name,
            cst.Integer,
            cst.Float,
            cst.Imaginary,
            cst.SimpleString,
            cst.Ellipsis,
        ),
    ):
        return None
    if isinstance(expr, (cst.Await, cst.Yield, cst.NamedExpr)):
        return expr
    if isinstance(expr, cst.Lambda):
        return None  # not called while the argument is evaluated
    if isinstance(expr, cst.Call):
        name = dotted_name(expr.func)
        if name not in _PURE_BUILTINS and not (
            name and _class_like(expr.func) and _is_value_type(name)
        ):
            return expr
        for arg in expr.args:
            bad = impure(arg.value)
            if bad is not None:
                return bad
        return None
    for child in children(expr):
        bad = impure(child)
        if bad is not None:
            return bad
    return None


def _is_value_type(name: str) -> bool:
    """Constructors of plain values (`UUID(x)`, `Decimal(x)`, `datetime(...)`) are pure."""
    return name.rpartition(".")[2] in {
        "UUID",
        "Decimal",
        "datetime",
        "date",
        "timedelta",
        "Fraction",
    }
