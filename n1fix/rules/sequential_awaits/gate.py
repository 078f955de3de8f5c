"""sequential-awaits' gate: a run of awaits two of which may talk to the database.

The check reports a run of awaited statements when two of them talk to the database
(`AwaitedCall.database`, read in `analysis.await_calls.describe`); `ast_awaits` says,
as a superset, which awaited calls may, and which only if the project's session-use
index knows their callee (`project_gate`)."""

from __future__ import annotations

import ast

from n1fix.analysis.ast_awaits import (
    LOCAL,
    CallerFacts,
    async_functions,
    awaited_call,
    blocks,
    import_aliases,
)

# The last tree read and its runs: the gate and the survey read the same file in turn.
_LAST: tuple[ast.AST, list] | None = None


def runs(tree: ast.Module, text: str) -> list[list]:
    """Per run of two or more awaited calls in a row, each call's `callee_names`."""
    global _LAST
    if _LAST is not None and _LAST[0] is tree:
        return _LAST[1]
    found: list[list] = []
    if "await" in text and "async def" in text:
        aliases = import_aliases(tree)
        for function in async_functions(tree):
            caller = None
            for block in blocks(tree, function):
                run: list = []
                for statement in [*block, None]:
                    call = awaited_call(statement) if statement is not None else None
                    if call is not None:
                        run.append(call)
                        continue
                    if len(run) >= 2:
                        caller = caller or CallerFacts(tree, function, aliases)
                        found.append([caller.callee_names(c) for c in run])
                    run = []
    _LAST = (tree, found)
    return found


def gate(tree: ast.Module, text: str) -> bool:
    return any(sum(1 for m in run if m is LOCAL) >= 2 for run in runs(tree, text))


def survey(tree: ast.Module, text: str) -> list[list] | None:
    """The runs `gate` could not decide alone (at least two members may reach the
    database): `true` for a member that may whatever the project, else its callee's
    possible last names. Empty when the gate let the file through."""
    if gate(tree, text):
        return []
    return [run for run in runs(tree, text) if sum(1 for m in run if m) >= 2]


def project_gate(facts: list[list] | None, database_names: set[str]) -> bool:
    if facts is None:
        return True  # not surveyed: nothing says it cannot
    return any(
        sum(1 for m in run if m is True or not database_names.isdisjoint(m)) >= 2
        for run in facts
    )


def gate_alone(tree: ast.Module, text: str) -> bool:
    """Without the project: two awaited calls in a row in an `async def` (what
    unused-suppression asks to prove the rule cannot fire in a file)."""
    return bool(runs(tree, text))
