"""## What it does
Finds database reads awaited one after another in an `async def` although none needs
the others: consecutive statements `x = await f(...)`, `x: T = await f(...)` or
`await f(...)` in one block, at least two of which reach the database (a session method,
or a project function or DAL method that runs statements). A read awaited once per item
of a loop is `awaits-in-loop`'s.

## Why is this bad?
Each await waits for the previous one to finish: four independent reads cost four round
trips end to end, where running them together costs about the slowest one. But running
them together is only right when they are truly independent, and in real code most runs
of awaits share one `AsyncSession` or connection, which must not be used concurrently:
depending on its state SQLAlchemy raises (`IllegalStateChangeError`), serialises the
calls, or (seen with aiosqlite in n1fix's own tests) sends two statements down one
connection at once. So the rule reports only runs that could run together: with a
gather fix, or without one when the enclosing `try` stands in the way. Awaits that
cannot run together (they share a session, one reads what another assigns, a write sits
between them, an argument has effects of its own) are right as written, so they are not
reported: a finding with nothing to change would only fail CI.

## Example
```python
async def profile_stats(user_id: int) -> ProfileStats:
    user = await AuthDAL.get_user_by_id(user_id)  # each DAL call opens its own session
    projects = await ProjectsDAL.with_render_counts(user_id)
    credits = await BillingDAL.get_credits(user_id)
    return ProfileStats(user, projects, credits)
```

## Use instead
```python
async def profile_stats(user_id: int) -> ProfileStats:
    user, projects, credits = await asyncio.gather(
        AuthDAL.get_user_by_id(user_id),
        ProjectsDAL.with_render_counts(user_id),
        BillingDAL.get_credits(user_id),
    )
    return ProfileStats(user, projects, credits)
```
`import asyncio` is added when the module lacks it. Annotated statements
(`user: User | None = await ...`) keep their annotations as bare declarations just above
the gather (`user: User | None`), since a tuple target cannot carry annotations and a
`tuple[...]`-typed helper variable would only add noise.

## Fix safety
The awaits of a group may run together only when all of these hold; a statement that
breaks one ends the group, and a run where no two database awaits can go together is
not reported (unless each read can get a session of its own, below):
- no data dependency: a later call (its arguments, receiver, anything it evaluates) does
  not read a name an earlier statement of the group assigns (`user.id` reads `user`);
- no shared session or connection: the calls do not pass, call methods of, or (for
  methods of the same object, module-level sessions, local closures) use the same
  session or connection. A project function that opens its own session
  (`async with async_session() as s`, `engine.connect()`, `AsyncSession(engine)`) is fine;
  one that takes the caller's session is not. Parameters and attributes named or
  annotated like a session (`db`, `session`, `AsyncSession`) count as sessions;
- no writes: neither the statements nor the project functions they call (followed
  through the session-use index) add, delete, merge, flush, commit, refresh or execute
  an INSERT/UPDATE/DELETE;
- no gate: a call that can raise by design (its body, or a project function it calls,
  awaited or not, has a `raise X`; a bare `raise` only passes on an error already
  happening) orders every await after it. `await check_permission(user)` then
  `await Memories.delete_all(user.id, db=db)`: gathered, the delete commits for a caller
  the check refuses; a read on the request's session keeps running after the error
  reached the framework, which closes that session under it (a leaked connection, or
  `IllegalStateChangeError` turning a 403 into a 500). Two checks that can each raise
  stay in order too: the caller's handler (FastAPI's, outside any `try`) would see
  whichever error came first. A call that can raise also does not join calls before it
  that use a session they did not open (the caller's, the object's, a module's);
- not inside the body of a `try` with `except` handlers: under gather the first error to
  happen, not the first in the code, reaches the handler, and later calls still run;
- the arguments have no effects of their own (calls other than plain value builtins,
  awaits, walrus): gather evaluates every argument before any call starts;
- no `asyncio.sleep()` between them (it waits on purpose);
- the whole group or nothing: when an await inside an expression just outside the run
  (`region = await Config.get("region") or "eastus"`) could run with the group too,
  the group is a cut of a longer run, and it is reported without a fix (a call n1fix
  cannot see into is not proven independent, so it cuts nothing); so is a group
  whose tuple of targets would not fit in the project's line length.
The fix is safe when every call of the group is a project function the index can see
into and every call opens the sessions it uses. A call n1fix cannot see into (a
callee it has not indexed, such as a function passed in, a method of an object of
unknown class like `Users = UsersTable()`, or a function that calls one) counts as
possibly writing and possibly raising: it orders the awaits after it, and joins the ones
before it only when every one of them is proven (indexed, writes nothing, raises nothing
by design, uses no session it did not open). Then the fix is **unsafe**: if it writes,
the reads gathered with it may see the write or miss it; if it raises, they run anyway
(harmless for reads on sessions of their own). Otherwise there is no fix.
A group where one call uses a session it did not open (the caller's `db`) is **unsafe**
too: any await can fail, not only by design (a database or network error), and gathered,
the error reaches the caller while that call still runs on the session the caller's
teardown then closes under it.

HTTP requests are awaits of the same kind: a GET, HEAD or OPTIONS awaited on a client the
function shows to be an `httpx.AsyncClient` or an `aiohttp.ClientSession` (a parameter
or an attribute of the method's class annotated as one, `async with
httpx.AsyncClient(...) as client`, or every binding of the name a constructor) joins a run like a database read; any other method (`post`,
`put`, `patch`, `delete`, `request`, `send`, `stream`) is a write. The client serves
concurrent requests, so two requests on it do not share a session; but each uses a
client it did not open, so the gather is **unsafe** for the same reason as the caller's
session: if one request fails, gather raises while the other still runs on a client the
caller may then close. A client known only by its name or an unknown annotation is not
one (the call is then not seen as a request).

When independent reads share one session and the module defines or imports an
`async_sessionmaker` (or the method's class holds one: `self.session_factory`, from
`async_sessionmaker(...)` or a parameter annotated as one), an **unsafe** fix gives each read that used the session a
short-lived session of its own (a nested `async def` per read, `async with
async_session() as session:`, then the gather). It changes what the reads see: each runs
in its own transaction, no longer seeing what the shared session flushed but did not
commit, and the objects it returns belong to a closed session. It is not offered inside
`async with session.begin()` (the reads were meant to share a transaction), for
connections, or when a call's effects are unknown (its writes would be rolled back).

The new session takes the shared one's name (`session`); a session held in an
attribute (`self.session`) is replaced in each call by a local of its own.

## Known problems
A function that raises only on an error path it handles itself (`try: ... raise ...
except: ...`) still counts as a gate: fewer gathers, never a wrong one. A plain helper
that raises is followed only when it is a project function (a library's is taken not to
raise by design).
Names are matched by spelling: a session stored under an unusual name and passed to an unindexed function
is not recognised (the call is then unknown, so the fix is at most unsafe).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterable

from n1fix.rules.base import Applicability, FixAvailability, Finding, Rule, Severity


@dataclass
class GatherPlan:
    statements: list  # the group's statement lines, in order (nodes of ctx.module)
    targets: list  # per statement: the assigned name or None
    annotations: list  # per statement: cst.Annotation or None
    calls: list  # per statement: the awaited cst.Call
    # (sessionmaker, session name) when each call that used the shared session gets one
    # of its own; `needs_session[i]`: statement i used it
    own_session: tuple[str, str] | None = None
    needs_session: list | None = None


class SequentialAwaits(Rule):
    __doc__ = __doc__
    NAME = "sequential-awaits"
    MESSAGE = "Independent database reads awaited one after another"
    SEVERITY = Severity.MEDIUM
    FIX = FixAvailability.SOMETIMES
    # As many statements either way; gathered, their waits overlap.
    ROUND_TRIPS = ("k, one after another", "k, at once")

    def gate(self, tree: ast.Module, text: str) -> bool:
        from n1fix.rules.sequential_awaits.gate import gate

        return gate(tree, text)

    def gate_alone(self, tree: ast.Module, text: str) -> bool:
        """May the file hold a finding, whatever the rest of the project holds?"""
        from n1fix.rules.sequential_awaits.gate import gate_alone

        return gate_alone(tree, text)

    def survey(self, tree: ast.Module, text: str):
        from n1fix.rules.sequential_awaits.gate import survey

        return survey(tree, text)

    def project_gate(self, facts, project) -> bool:
        from n1fix.analysis.ast_awaits import factory_names
        from n1fix.rules.sequential_awaits.gate import project_gate, read_callees

        index = project.session_use
        return project_gate(facts, *read_callees(index), factory_names(index))

    def check(self, ctx) -> Iterable[Finding]:
        from n1fix.cst.async_functions import async_functions
        from n1fix.rules.sequential_awaits.gather_groups import runs_in

        for function, owner in async_functions(ctx.module):
            for run in runs_in(ctx, function, owner):
                yield from self._check_run(ctx, run)

    def _check_run(self, ctx, run) -> Iterable[Finding]:
        from n1fix.rules.sequential_awaits.gather_groups import split
        from n1fix.rules.sequential_awaits.own_sessions import own_session_groups

        reads = [m for m in run.members if m.round_trip and not m.writes]
        if len(reads) < 2:
            return
        first = run.members[0].statement
        groups = split(run)
        fixable = [g for g in groups if len(g.members) >= 2 and len(g.round_trips) >= 2]
        if not fixable and sum(1 for m in reads if m.seen) < 2:
            return  # nothing to offer, and a call n1fix knows nothing about (obj.delete_async()) may well write
        shared = next(
            (g.blocked_on_session for g in groups if g.blocked_on_session), None
        )
        own = (
            own_session_groups(ctx, run, shared)
            if shared and not fixable and run.in_try is None
            else None
        )
        if not fixable and own is None:
            return  # they cannot run together: right as written, nothing to report
        if run.in_try is not None:
            # What keeps the awaits apart comes first; the try only matters for awaits that could be gathered.
            yield self.finding_at(
                ctx,
                first,
                f"{len(run.members)} awaits run one after another; no fix: they sit in a `try` with "
                "`except` handlers, and under `asyncio.gather` the first error to happen (not the first "
                "in the code) reaches the handler while the other calls still run",
            )
        elif own is not None:
            for group in own[1]:
                yield self._no_fix_finding(
                    ctx, run, group
                ) or self._own_sessions_finding(ctx, group, own[0], shared)
        else:
            for group in fixable:
                yield self._no_fix_finding(ctx, run, group) or self._gather_finding(
                    ctx, group
                )

    def _no_fix_finding(self, ctx, run, group) -> Finding | None:
        """A group that can run together but gets no gather: it is only part of the awaits
        that could (one more sits inside an expression next to it), or its targets would
        not fit on a line."""
        from n1fix.rules.sequential_awaits.gather_groups import partial

        members = group.members
        labels = _labels(members)
        head = f"{len(members)} independent awaits run one after another ({labels})"
        outside = partial(run, group)
        if outside is not None:
            line = ctx.range_of(outside.statement).start.line
            return self.finding_at(
                ctx,
                members[0].statement,
                f"{head}; no fix: {outside.label} on line {line} could run with them too but is awaited inside an "
                "expression, and gathering only some of them would be an arbitrary cut; gather them all by hand "
                "(await the call alone, then use its result)",
            )
        targets = [m.target or "_" for m in members]
        indent = ctx.range_of(members[0].statement).start.column
        width = indent + len(f"{', '.join(targets)} = await asyncio.gather(")
        if any(m.target for m in members) and width > ctx.project.line_length:
            return self.finding_at(
                ctx,
                members[0].statement,
                f"{head}; no fix: a gather of {len(members)} results would need a target {width} characters wide, "
                f"over the line length of {ctx.project.line_length}; one query for all of them (or fewer awaits "
                "gathered by hand) reads better",
            )
        return None

    def _own_sessions_finding(self, ctx, group, factory: str, session: str) -> Finding:
        members = group.members
        labels = _labels(members)
        note = (
            f"unsafe: each read that used `{session}` gets its own session from `{factory}()`, so it runs in a "
            f"transaction of its own (it no longer sees what `{session}` has flushed but not committed) and the "
            "objects it returns belong to a session that is closed"
        )
        plan = GatherPlan(
            statements=[m.statement for m in members],
            targets=[m.target for m in members],
            annotations=[m.annotation for m in members],
            calls=[m.call for m in members],
            own_session=(factory, session),
            needs_session=[session in m.sessions for m in members],
        )
        message = (
            f"{len(members)} independent reads run one after another ({labels}) on the one session `{session}`, "
            f"which must not run two statements at once; {note}"
        )
        return self.finding_at(
            ctx, members[0].statement, message, Applicability.UNSAFE, note, plan
        )

    def _gather_finding(self, ctx, group) -> Finding:
        members = group.members
        labels = _labels(members)
        if group.reasons_unsafe:
            why = "the calls before the last share no session, write nothing and raise nothing by design"
        elif all(m.own_session for m in members):
            why = "each opens its own session"
        else:
            why = "they share no session and none writes"
        message = f"{len(members)} independent awaits run one after another ({labels}); {why}, so `asyncio.gather` can run them together"
        plan = GatherPlan(
            statements=[m.statement for m in members],
            targets=[m.target for m in members],
            annotations=[m.annotation for m in members],
            calls=[m.call for m in members],
        )
        note = (
            f"unsafe: {group.reasons_unsafe[0]}; it may write (the reads gathered with it could see the "
            "write or miss it) or raise (the others would run anyway, on no session of the caller's)"
            if group.reasons_unsafe
            else f"unsafe: {group.outlives_failure}"
            if group.outlives_failure
            else None
        )
        if note is not None:
            return self.finding_at(
                ctx,
                members[0].statement,
                f"{message}; {note}",
                Applicability.UNSAFE,
                note,
                plan,
            )
        return self.finding_at(
            ctx, members[0].statement, message, Applicability.SAFE, None, plan
        )


def _labels(members) -> str:
    """`Config.get()` 12 times, `Files.get_file_by_id()`: repeats of one callee counted."""
    parts: list[list] = []
    for member in members:
        if parts and parts[-1][0] == member.label:
            parts[-1][1] += 1
        else:
            parts.append([member.label, 1])
    return ", ".join(
        label
        if count == 1
        else f"{label} twice"
        if count == 2
        else f"{label} {count} times"
        for label, count in parts
    )
