"""## What it does
Finds a database read awaited once per item of a `for` loop in an `async def`, one
round trip after another: `for x in xs: out.append(await fetch(x))`, where the awaited
call varies with the item and runs a query, writes nothing, and is not one query-in-loop
batches (a session query, or a project function running a query keyed by the item: one
query for every key is the better fix, and query-in-loop reports it).

These findings were reported as `sequential-awaits` before they got a rule of their own;
that name still covers them: `# n1fix: ignore[sequential-awaits]` silences them, and
`select`/`ignore` of `sequential-awaits` select/ignore this rule too.

## Why is this bad?
Each read waits for the one before it: N items cost N round trips end to end. When each
call opens a session of its own they are independent, and running a few at once costs
about N / bound of them. An unbounded `asyncio.gather` over the items is no answer: with
many items it asks the connection pool for more connections than it has, and the reads
wait for a connection or fail with a pool timeout.

## Example
```python
async def suggestions_for(prefixes: list[str]) -> dict[str, list[str]]:
    suggestions = {}
    for prefix in prefixes:
        suggestions[prefix] = await ProjectsDAL.search_names(prefix)  # each call opens its own session
    return suggestions
```

## Use instead
```python
async def suggestions_for(prefixes: list[str]) -> dict[str, list[str]]:
    suggestions = {}
    semaphore = asyncio.Semaphore(5)  # at most 5 reads at once (SQLAlchemy's default pool_size)

    async def search_names_bounded(prefix):
        async with semaphore:
            return await ProjectsDAL.search_names(prefix)

    results = await asyncio.gather(*(search_names_bounded(prefix) for prefix in prefixes))
    for prefix, names in zip(prefixes, results):
        suggestions[prefix] = names
    return suggestions
```
`out.append(await f(x))` becomes `out.extend(await asyncio.gather(...))`, a bare
`await f(x)` a bare gather; `import asyncio` is added when the module lacks it.
A semaphore, not chunks: it keeps up to the bound in flight all the time, where chunks
wait for the slowest read of each chunk, and it needs no slicing (so no list of the
items) and no second loop; the session each call opens is opened inside `async with
semaphore`, so no more than the bound hold a connection at once. The bound is
SQLAlchemy's default `pool_size` (5), said in the comment beside it; the semaphore is
made in the function, so it bounds one call of it (two concurrent requests may use
twice as many connections; the pool's overflow, 10 by default, absorbs that).

## Fix safety
The bounded gather is an **unsafe** fix, offered only when all of these hold; otherwise
the finding has no fix and names the condition that failed:
- each call opens its own session (known through the session-use index); a session or
  connection passed or closed over is named;
- the callee is a read whose effects are known (no write, nothing unindexed);
- the loop body is exactly `out.append(await f(x))` (`out` a list: every binding of it
  in the function is `[]`, `[...]`, `list(...)` or annotated `list[...]`),
  `out[key] = await f(x)` or `await f(x)`: no other statement, no `break`, `continue`,
  `return` or `else`, not `async for`, not in the body of a `try` with `except`
  handlers; the loop target is a name or a tuple of names;
- the call's arguments and the key have no effects of their own, and neither reads `out`
  (everything else they read is the loop target or unchanged by the loop);
- for the append and bare shapes the loop target is not read outside the loop (the loop
  left it bound to the last item; the generator does not);
- for `out[key] = ...` the items are iterated twice (gather, then `zip`), so items that
  may be a one-shot iterator are materialised with `list(...)` first. The keys are set
  in the loop's order after every read, so the dict's order and "the last duplicate key
  wins" are those of the loop.
Unsafe because the reads run concurrently, each in a transaction of its own (they may
see different snapshots); when one raises, the others still run (the loop stopped at
the first error), the first error to happen is the one raised, and `out` gets none of
the results (the loop had filled it up to the failing item).

## Known problems
The bound does not read a `pool_size` the project passes to `create_async_engine()`: it
is always SQLAlchemy's default, 5.
"""

from __future__ import annotations

import ast
from typing import Iterable

from n1fix.rules.base import Applicability, FixAvailability, Finding, Rule, Severity


class AwaitsInLoop(Rule):
    __doc__ = __doc__
    NAME = "awaits-in-loop"
    MESSAGE = "Database read awaited once per item of a loop"
    SEVERITY = Severity.MEDIUM
    FIX = FixAvailability.SOMETIMES
    # The same reads either way; gathered, up to the bound (SQLAlchemy's pool_size) overlap.
    ROUND_TRIPS = ("N, one after another", "N, at most 5 at once")
    # Its findings were reported as sequential-awaits before it was a rule of its own: a
    # suppression, `select` or `ignore` naming that rule still covers them.
    SPLIT_FROM = "sequential-awaits"

    def gate(self, tree: ast.Module, text: str) -> bool:
        return False  # only the project's session-use index can say (`project_gate`)

    def gate_alone(self, tree: ast.Module, text: str) -> bool:
        """May the file hold a finding, whatever the rest of the project holds?"""
        from n1fix.rules.awaits_in_loop.gate import gate_alone

        return gate_alone(tree, text)

    def survey(self, tree: ast.Module, text: str):
        from n1fix.rules.awaits_in_loop.gate import callee_names

        return callee_names(tree, text)

    def project_gate(self, facts, project) -> bool:
        from n1fix.rules.awaits_in_loop.gate import project_gate, reported_callees

        return project_gate(facts, reported_callees(project.session_use))

    def check(self, ctx) -> Iterable[Finding]:
        import libcst as cst

        from n1fix.analysis.await_calls import CallerScope
        from n1fix.cst.async_functions import async_functions
        from n1fix.cst.syntax import walk
        from n1fix.rules.awaits_in_loop.loop_gather import awaits_in_loops

        for function, owner in async_functions(ctx.module):
            if not any(isinstance(node, cst.For) for node in walk(function.body)):
                continue  # no loop of the kind `awaits_in_loops` looks at
            scope = CallerScope.of(
                ctx, function, f"{ctx.module_name}.{owner}" if owner else None
            )
            for loop, member in awaits_in_loops(ctx, function, scope):
                yield self._finding(ctx, function, loop, member)

    def _finding(self, ctx, function, loop, member) -> Finding:
        from n1fix.rules.awaits_in_loop.loop_gather import loop_gather

        head = (
            f"{member.label} is awaited once per item of the loop over `{ctx.code(loop.iter)}`, one round trip "
            "after another"
        )
        plan, reason = loop_gather(ctx, function, loop, member)
        if plan is None:
            note = (
                "let the callee take every key and run one query, or gather with a bound on "
                "concurrency (an asyncio.Semaphore or chunks no larger than the connection pool)"
            )
            return self.finding_at(
                ctx,
                member.statement,
                f"{head}; no bounded gather: {reason}; {note}",
                fix_note=note,
                loop=loop,
            )
        note = (
            f"unsafe: each call opens its own session, so gathered at most {plan.bound} at once ({plan.bound_source}) "
            "they run concurrently, each in a transaction of its own; when one raises, the others still run "
            "(the loop stopped at the first error) and nothing of the loop's result is kept"
        )
        return self.finding_at(
            ctx,
            member.statement,
            f"{head}; {note}",
            Applicability.UNSAFE,
            note,
            plan,
            loop=loop,
        )
