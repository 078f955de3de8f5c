"""Runs of consecutive awaits in an `async def`, split into groups that may run together.

A run is two or more consecutive statements of one block, each awaiting one call. It is
split, in order, into groups: a statement joins the group before it only when it does
not read a name the group assigns, shares no session or connection with it, and neither
it nor the group writes. What kept two database awaits apart is kept, so the finding can
name it (the session, the dependency, the write).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import libcst as cst

from n1fix.orm.query_shape import dotted_name
from n1fix.rules._await_calls import AwaitedCall, CallerScope, awaited_statement, describe

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


@dataclass
class Run:
    members: list[AwaitedCall]
    in_try: cst.Try | cst.TryStar | None  # an enclosing try whose handlers would see a different error
    function: cst.FunctionDef
    transactions: frozenset[str] = frozenset()  # sessions whose `begin()` block encloses the run


@dataclass
class Group:
    members: list[AwaitedCall]
    blocked_by: str | None = None  # why the next statement could not join
    blocked_on_session: str | None = None  # the shared session, when that was why
    reasons_unsafe: list[str] = field(default_factory=list)

    @property
    def database(self) -> list[AwaitedCall]:
        return [m for m in self.members if m.database]


def async_functions(module: cst.Module) -> Iterator[tuple[cst.FunctionDef, str | None]]:
    """Every `async def` with its class's qualified name when it is a method."""
    stack: list[tuple[cst.CSTNode, str | None]] = [(module, None)]
    while stack:
        node, owner = stack.pop()
        body = node.body.body if isinstance(node, (cst.ClassDef, cst.FunctionDef)) else node.body
        for statement in body if isinstance(body, (list, tuple)) else []:
            for inner in _definitions(statement):
                if isinstance(inner, cst.ClassDef):
                    stack.append((inner, f"{owner}.{inner.name.value}" if owner else inner.name.value))
                else:
                    if inner.asynchronous is not None:
                        yield inner, owner
                    stack.append((inner, None))


def _definitions(statement: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Function and class definitions at the top of `statement` or nested in its blocks."""
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        yield statement
        return
    for block in _blocks(statement):
        for inner in block.body:
            yield from _definitions(inner)


def _blocks(statement: cst.CSTNode) -> Iterator[cst.IndentedBlock]:
    """The indented blocks directly below a compound statement (if/for/while/with/try/match)."""
    for name in ("body", "orelse", "finalbody"):
        part = getattr(statement, name, None)
        if isinstance(part, cst.IndentedBlock):
            yield part
        elif isinstance(part, cst.If):  # elif
            yield from _blocks(part)
        elif isinstance(part, (cst.Else, cst.Finally)) and isinstance(part.body, cst.IndentedBlock):
            yield part.body
    for handler in getattr(statement, "handlers", ()) or ():
        if isinstance(handler.body, cst.IndentedBlock):
            yield handler.body
    for case in getattr(statement, "cases", ()) or ():
        if isinstance(case.body, cst.IndentedBlock):
            yield case.body


def runs_in(ctx, function: cst.FunctionDef, owner: str | None) -> Iterator[Run]:
    scope: CallerScope | None = None
    stack: list[tuple[cst.IndentedBlock, cst.Try | cst.TryStar | None, frozenset[str]]] = []
    if isinstance(function.body, cst.IndentedBlock):
        stack.append((function.body, None, frozenset()))
    while stack:
        block, in_try, transactions = stack.pop()
        current: list[tuple] = []
        for statement in [*block.body, None]:
            found = awaited_statement(statement) if statement is not None else None
            if found is not None:
                current.append((statement, *found))
                continue
            if len(current) >= 2:
                if scope is None:
                    qualified_owner = f"{ctx.module_name}.{owner}" if owner else None
                    scope = CallerScope.of(ctx, function, qualified_owner)
                members = [describe(ctx, scope, *item) for item in current]
                yield Run(members, in_try, function, transactions)
            current = []
            if statement is None or isinstance(statement, _SCOPES):
                continue
            inner_transactions = transactions | _begun(statement)
            for inner in _blocks(statement):
                guarded = isinstance(statement, (cst.Try, cst.TryStar)) and inner is statement.body and statement.handlers
                stack.append((inner, statement if guarded else in_try, inner_transactions))


def _begun(statement: cst.CSTNode) -> frozenset[str]:
    """`async with session.begin():` -> {"session"}."""
    if not isinstance(statement, cst.With):
        return frozenset()
    found = set()
    for item in statement.items:
        call = item.item
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value in ("begin", "begin_nested"):
            name = dotted_name(call.func.value)
            if name is not None:
                found.add(name)
    return frozenset(found)


def split(run: Run, own_session: str | None = None) -> list[Group]:
    """Groups in order; with `own_session`, as if each call got a session of its own in
    place of that one (the shared-session rewrite)."""
    groups: list[Group] = [Group([run.members[0]])]
    for member in run.members[1:]:
        group = groups[-1]
        reason, session = _conflict(group.members, member, own_session)
        if reason is None:
            group.members.append(member)
        else:
            group.blocked_by = reason
            group.blocked_on_session = session
            groups.append(Group([member]))
    for group in groups:
        group.reasons_unsafe = [m.unknown for m in group.members if m.unknown]
    return groups


def _conflict(group: list[AwaitedCall], member: AwaitedCall, own_session: str | None) -> tuple[str | None, str | None]:
    for earlier in group:
        if earlier.target and earlier.target in member.reads:
            return f"{member.label} reads `{earlier.target}`, which {earlier.label} assigns", None
        if earlier.target and earlier.target == member.target:
            return f"`{member.target}` is assigned twice", None
    for earlier in group:
        shared = [key for key in member.sessions if key in earlier.sessions and key != own_session]
        if shared:
            return (
                f"{earlier.label} and {member.label} share the session `{shared[0]}` "
                "(one AsyncSession or connection must not run two statements at once)"
            ), shared[0]
    for m in (*group, member):
        if m.writes:
            return f"{m.writes} (a write is not reordered with the reads around it)", None
    if member.pause or any(m.pause for m in group):
        return "`asyncio.sleep()` waits on purpose between them", None
    if member.effects is not None:
        return (
            f"the argument `{member.effects}` of {member.label} has effects of its own "
            "(gather evaluates every argument before any call starts)"
        ), None
    return None, None
