"""awaits-in-loop's gate: an await in a loop whose callee the project may know to query.

The check reports an awaited call in a loop when it runs a query (`AwaitedCall.queries`),
writes nothing, does nothing n1fix cannot see (`AwaitedCall.unknown`) and is not
query-in-loop's (a session's own method): only a project function the session-use index
resolves, and knows to run a query and no write or unknown call, is such a call
(`reported_callees`). The survey keeps the last names the awaited callees may have
(`ast_awaits`); `project_gate` lets the file through when one of them names such a
function."""

from __future__ import annotations

import ast

from n1fix.analysis.ast_awaits import CallerFacts, async_functions, import_aliases
from n1fix.cst.astwalk import nodes_within

_LOOPS = (ast.For, ast.AsyncFor)


def callee_names(tree: ast.Module, text: str) -> list[str]:
    """The possible last names of every awaited call in a loop of an `async def`."""
    if "await" not in text or "async def" not in text:
        return []
    names: set[str] = set()
    aliases = None
    for function in async_functions(tree):
        caller = None
        for loop in nodes_within(tree, function, *_LOOPS):
            for statement in loop.body:
                call = _awaited_in(statement)
                if call is None:
                    continue
                if caller is None:
                    aliases = aliases if aliases is not None else import_aliases(tree)
                    caller = CallerFacts(tree, function, aliases)
                names.update(caller.possible_callees(call))
    return sorted(names)


def _awaited_in(statement: ast.stmt) -> ast.Call | None:
    """A superset of `loop_gather._awaited_in`: an awaited call as a simple statement's
    value (`x = await f()`, `x += await f()`, `return await f()`), or as the one
    argument of a call (`out.append(await f())`)."""
    value = getattr(statement, "value", None)
    if isinstance(statement, ast.Expr) and isinstance(value, ast.Call):
        arguments = [*value.args, *(k.value for k in value.keywords)]
        if len(arguments) == 1:
            value = arguments[0]
            if isinstance(value, ast.Starred):
                value = value.value
    if isinstance(value, ast.Await) and isinstance(value.value, ast.Call):
        return value.value
    return None


def project_gate(facts: list[str] | None, reported_names: set[str]) -> bool:
    if facts is None:
        return True  # not surveyed: nothing says it cannot
    return not reported_names.isdisjoint(facts)


# The last session-use index asked about, and `reported_callees` of it.
_REPORTED: tuple[object, set[str]] | None = None


def reported_callees(index) -> set[str]:
    """The last names of the functions of a session-use index a call of which
    `loop_gather.awaits_in_loops` may report: `describe` gives it the callee's `queries`,
    a write when `Effects.writes`, and an unknown when `Effects.unknown` (both followed
    through what the callee awaits), and a write or an unknown is not reported."""
    global _REPORTED
    if index is None:
        return set()
    if _REPORTED is None or _REPORTED[0] is not index:
        names = set()
        for qualname, function in index.functions.items():
            if function.queries:
                effects = index.effects(function)
                if not effects.writes and not effects.unknown:
                    names.add(qualname.rpartition(".")[2])
        _REPORTED = (index, names)
    return _REPORTED[1]


def gate_alone(tree: ast.Module, text: str) -> bool:
    """Without the project: an awaited call in a loop of an `async def` (what
    unused-suppression asks to prove the rule cannot fire in a file)."""
    return bool(callee_names(tree, text)) or _awaits_in_loop(tree, text)


def _awaits_in_loop(tree: ast.Module, text: str) -> bool:
    if "await" not in text or "async def" not in text:
        return False
    return any(
        any(_awaited_in(s) for s in loop.body)
        for function in async_functions(tree)
        for loop in nodes_within(tree, function, *_LOOPS)
    )
