"""Runs of consecutive awaits in an `async def`, split into groups that may run together.

A run is two or more consecutive statements of one block, each awaiting one call. It is
split, in order, into groups: a statement joins the group before it only when it does
not read a name the group assigns, shares no session or connection with it, neither it
nor the group writes, no call of the group may raise (a gate orders every await after
it), and, when it may raise, no call of the group uses a session it did not open (it
would go on using it after the error reached the caller). What kept two database awaits
apart is kept, so the finding can name it (the session, the dependency, the write).

A run also knows the awaits just outside it that sit inside an expression
(`region = await Config.get("region") or "eastus"`): when one of them could have joined
the group next to it, that group is only part of the awaits that could run together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import libcst as cst

from n1fix.analysis.await_calls import (
    AwaitedCall,
    CallerScope,
    awaited_statement,
    describe,
)
from n1fix.cst.async_functions import blocks_below
from n1fix.cst.chains import dotted_name
from n1fix.cst.syntax import walk

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


@dataclass
class Run:
    members: list[AwaitedCall]
    in_try: (
        cst.Try | cst.TryStar | None
    )  # an enclosing try whose handlers would see a different error
    function: cst.FunctionDef
    transactions: frozenset[str] = (
        frozenset()
    )  # sessions whose `begin()` block encloses the run
    # awaits inside an expression in the statement just before / just after the run
    before: list[AwaitedCall] = field(default_factory=list)
    after: list[AwaitedCall] = field(default_factory=list)


@dataclass
class Group:
    members: list[AwaitedCall]
    blocked_on_session: str | None = None  # the shared session, when that was why
    reasons_unsafe: list[str] = field(default_factory=list)
    # why a failure of one member leaves another running on a session the caller owns
    outlives_failure: str | None = None

    @property
    def database(self) -> list[AwaitedCall]:
        return [m for m in self.members if m.database]

    @property
    def round_trips(self) -> list[AwaitedCall]:
        """Members that wait on another server: the database, or an HTTP request."""
        return [m for m in self.members if m.round_trip]


def runs_in(ctx, function: cst.FunctionDef, owner: str | None) -> Iterator[Run]:
    scope: CallerScope | None = None
    stack: list[
        tuple[cst.IndentedBlock, cst.Try | cst.TryStar | None, frozenset[str]]
    ] = []
    if isinstance(function.body, cst.IndentedBlock):
        stack.append((function.body, None, frozenset()))
    while stack:
        block, in_try, transactions = stack.pop()
        current: list[tuple] = []
        previous = None  # the statement before the current run
        body = list(block.body)
        for index, statement in enumerate([*body, None]):
            found = awaited_statement(statement) if statement is not None else None
            if found is not None:
                if not current:
                    previous = body[index - 1] if index > 0 else None
                current.append((statement, *found))
                continue
            if len(current) >= 2:
                if scope is None:
                    qualified_owner = f"{ctx.module_name}.{owner}" if owner else None
                    scope = CallerScope.of(ctx, function, qualified_owner)
                members = [describe(ctx, scope, *item) for item in current]
                before = _awaits_in_expressions(ctx, scope, previous)
                after = _awaits_in_expressions(ctx, scope, statement)
                yield Run(members, in_try, function, transactions, before, after)
            current = []
            if statement is None or isinstance(statement, _SCOPES):
                continue
            inner_transactions = transactions | _begun(statement)
            for inner in blocks_below(statement):
                guarded = (
                    isinstance(statement, (cst.Try, cst.TryStar))
                    and inner is statement.body
                    and statement.handlers
                )
                stack.append(
                    (inner, statement if guarded else in_try, inner_transactions)
                )


def _awaits_in_expressions(ctx, scope: CallerScope, statement) -> list[AwaitedCall]:
    """The awaited calls of a one-line statement that awaits inside an expression
    (`x = await f() or default`, `y = a if await f() else b`), each as a member would be
    described; the statement's one assigned name is each one's target."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return []
    target = None
    small = statement.body[0] if len(statement.body) == 1 else None
    if (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
    ):
        target = small.targets[0].target.value
    elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
        target = small.target.value
    return [
        describe(ctx, scope, statement, target, None, node.expression)
        for node in walk(statement)
        if isinstance(node, cst.Await) and isinstance(node.expression, cst.Call)
    ]


def partial(run: Run, group: Group) -> AwaitedCall | None:
    """An await inside an expression next to the run that could have joined `group`
    (the group would then be a part of the awaits that can run together), if any. A call
    n1fix cannot see into is not proven independent, so it does not count."""
    if group.members[0] is run.members[0]:
        for outside in run.before:
            if outside.unknown:
                continue
            if all(
                _conflict([outside, *group.members[:k]], m, None)[0] is None
                for k, m in enumerate(group.members)
            ):
                return outside
    if group.members[-1] is run.members[-1]:
        for outside in run.after:
            if outside.unknown:
                continue
            if _conflict(group.members, outside, None)[0] is None:
                return outside
    return None


def _begun(statement: cst.CSTNode) -> frozenset[str]:
    """`async with session.begin():` -> {"session"}."""
    if not isinstance(statement, cst.With):
        return frozenset()
    found = set()
    for item in statement.items:
        call = item.item
        if (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Attribute)
            and call.func.attr.value in ("begin", "begin_nested")
        ):
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
            group.blocked_on_session = session
            groups.append(Group([member]))
    for group in groups:
        group.reasons_unsafe = [m.unknown for m in group.members if m.unknown]
        group.outlives_failure = _outlives_failure(group.members, own_session)
    return groups


def _outlives_failure(
    members: list[AwaitedCall], own_session: str | None
) -> str | None:
    """Any await can fail (a database or network error), not only by design: gathered,
    the error reaches the caller while a partner still runs. A partner on a session it
    did not open (the caller's) is then closed under it by the caller's teardown."""
    if len(members) < 2:
        return None
    for held in members:
        session = next((key for key in held.sessions if key != own_session), None)
        if session is None:
            continue
        other = next(m for m in members if m is not held)
        return (
            f"if {other.label} fails, gather raises while {held.label} is still using "
            f"`{session}`, which the caller then closes under it"
        )
    for held in members:
        if held.client is None:
            continue
        other = next(m for m in members if m is not held)
        failing, running = (
            (f"one {held.label}", "the other")
            if other.label == held.label
            else (other.label, held.label)
        )
        return (
            f"if {failing} fails, gather raises while {running} is still using "
            f"the HTTP client `{held.client}`, which it did not open and the caller may "
            "then close under it (its request is cancelled or fails on a closed client)"
        )
    return None


def _conflict(
    group: list[AwaitedCall], member: AwaitedCall, own_session: str | None
) -> tuple[str | None, str | None]:
    for earlier in group:
        if earlier.target and earlier.target in member.reads:
            return (
                f"{member.label} reads `{earlier.target}`, which {earlier.label} assigns",
                None,
            )
        if earlier.target and earlier.target == member.target:
            return f"`{member.target}` is assigned twice", None
    for earlier in group:
        shared = [
            key
            for key in member.sessions
            if key in earlier.sessions and key != own_session
        ]
        if shared:
            return (
                f"{earlier.label} and {member.label} share the session `{shared[0]}` "
                "(one AsyncSession or connection must not run two statements at once)"
            ), shared[0]
    for m in (*group, member):
        if m.writes:
            return (
                f"{m.writes} (a write is not reordered with the reads around it)",
                None,
            )
    for earlier in group:
        if earlier.may_raise:
            return (
                f"{earlier.may_raise}, so the awaits after it wait for it (gathered, they would run "
                "even when it refuses)"
            ), None
    if member.may_raise:
        for earlier in group:
            held = [key for key in earlier.sessions if key != own_session]
            if held:
                return (
                    f"{member.may_raise}; gathered with it, {earlier.label} would go on using `{held[0]}` "
                    "after the error reached the caller, which closes it"
                ), None
    if member.pause or any(m.pause for m in group):
        return "`asyncio.sleep()` waits on purpose between them", None
    if member.effects is not None:
        return (
            f"the argument `{member.effects}` of {member.label} has effects of its own "
            "(gather evaluates every argument before any call starts)"
        ), None
    return None, None
