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

from n1fix.rules._await_calls import AwaitedCall, CallerScope, awaited_statement, describe

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


@dataclass
class Run:
    members: list[AwaitedCall]
    in_try: cst.Try | cst.TryStar | None  # an enclosing try whose handlers would see a different error
    function: cst.FunctionDef


@dataclass
class Group:
    members: list[AwaitedCall]
    blocked_by: str | None = None  # why the next statement could not join
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
    stack: list[tuple[cst.IndentedBlock, cst.Try | cst.TryStar | None]] = []
    if isinstance(function.body, cst.IndentedBlock):
        stack.append((function.body, None))
    while stack:
        block, in_try = stack.pop()
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
                yield Run(members, in_try, function)
            current = []
            if statement is None or isinstance(statement, _SCOPES):
                continue
            for inner in _blocks(statement):
                guarded = isinstance(statement, (cst.Try, cst.TryStar)) and inner is statement.body and statement.handlers
                stack.append((inner, statement if guarded else in_try))


def split(run: Run) -> list[Group]:
    groups: list[Group] = [Group([run.members[0]])]
    for member in run.members[1:]:
        group = groups[-1]
        reason = _conflict(group.members, member)
        if reason is None:
            group.members.append(member)
        else:
            group.blocked_by = reason
            groups.append(Group([member]))
    for group in groups:
        group.reasons_unsafe = [m.unknown for m in group.members if m.unknown]
    return groups


def _conflict(group: list[AwaitedCall], member: AwaitedCall) -> str | None:
    for earlier in group:
        if earlier.target and earlier.target in member.reads:
            return f"{member.label} reads `{earlier.target}`, which {earlier.label} assigns"
        if earlier.target and earlier.target == member.target:
            return f"`{member.target}` is assigned twice"
    for earlier in group:
        shared = [key for key in member.sessions if key in earlier.sessions]
        if shared:
            return (
                f"{earlier.label} and {member.label} share the session `{shared[0]}` "
                "(one AsyncSession or connection must not run two statements at once)"
            )
    for m in (*group, member):
        if m.writes:
            return f"{m.writes} (a write is not reordered with the reads around it)"
    if member.pause or any(m.pause for m in group):
        return "`asyncio.sleep()` waits on purpose between them"
    if member.effects is not None:
        return f"the argument `{member.effects}` of {member.label} has effects of its own (gather evaluates every argument before any call starts)"
    return None
