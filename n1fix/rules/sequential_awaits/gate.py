"""sequential-awaits' gate: a run of awaits two of which may talk to the database and
may run together.

The check reports a run of awaited statements only when two of them are reads: they
wait on the database or a server (`AwaitedCall.round_trip`, read in
`analysis.await_calls.describe`) and do not write (`_check_run`: `m.round_trip and not
m.writes`). `read_member` says, as a superset, which awaited calls may be such a read
whatever the project holds, and which only if the project's session-use index knows
their callee to be one (`project_gate`, `read_callees`).

It reports them only when they can go in one gather group, or each can get a session of
its own (`own_sessions`). Two awaits next to each other that pass the same session, or
where the second reads or assigns again the name the first assigns, never share a group
(`gather_groups._conflict`), so such pairs cut a run into segments
(`analysis.ast_await_runs`), and two database awaits must sit in one segment. The
own-session rewrite needs a sessionmaker in reach: one the file names (`sessionmaker`
in its text), or one it imports, which the project's index knows by name; then two
database awaits anywhere in the run are enough."""

from __future__ import annotations

import ast

from n1fix.analysis.ast_await_runs import (
    callee_suffix,
    heads_qualified_elsewhere,
    imported_last_names,
    split_at_conflicts,
)
from n1fix.analysis.ast_awaits import (
    LOCAL,
    READ_METHODS,
    CallerFacts,
    async_functions,
    awaited_call,
    blocks,
    import_aliases,
    passed_arguments,
)
from n1fix.analysis.http_methods import READ_REQUESTS
from n1fix.cst.astwalk import ast_dotted_name, index_of

# The last tree read and its runs: the gate and the survey read the same file in turn.
_LAST: tuple[ast.AST, list] | None = None


def runs(tree: ast.Module, text: str) -> list[list[list]]:
    """Per run of two or more awaited calls in a row, its segments (`split_at_conflicts`),
    each a list of its calls' `callee_names`, or `[a.m]` (`callee_suffix`) when the
    index can only know the callee by its last two names."""
    global _LAST
    if _LAST is not None and _LAST[0] is tree:
        return _LAST[1]
    found: list[list[list]] = []
    if "await" in text and "async def" in text:
        aliases = import_aliases(tree)
        index = index_of(tree)
        for function in async_functions(tree):
            # A run is two awaited statements in a row, each holding an `await`: a
            # function with fewer than two in its subtree (most) holds none.
            start, end = index.number[id(function)], index.ends[id(function)]
            if len(index.between(start, end, ast.Await)) < 2:
                continue
            caller = heads = None
            for block in blocks(tree, function):
                run: list = []
                for statement in [*block, None]:
                    call = awaited_call(statement) if statement is not None else None
                    if call is not None:
                        run.append((statement, call))
                        continue
                    if len(run) >= 2:
                        caller = caller or CallerFacts(tree, function, aliases)
                        if heads is None:
                            heads = heads_qualified_elsewhere(tree, function)
                        found.append(
                            [
                                [_member(caller, call, heads) for _, call in segment]
                                for segment in split_at_conflicts(run)
                            ]
                        )
                    run = []
    _LAST = (tree, found)
    return found


def _member(caller: CallerFacts, call: ast.Call, heads: set[str]) -> bool | list[str]:
    names = read_member(caller, call)
    if names is LOCAL or not names:
        return names
    suffix = callee_suffix(call, heads)
    return names if suffix is None else [suffix]


def read_member(caller: CallerFacts, call: ast.Call) -> bool | list[str]:
    """`LOCAL` when the awaited call may be a read whatever the project holds, else the
    last names its callee may have in the session-use index (`possible_callees`).

    `CallerFacts.callee_names` less what `describe` makes a write, never a read:
    - a string argument: `_is_dml_text` makes the call a write when the string is one,
      and a string that is not a write makes nothing;
    - a session method outside `READ_METHODS`: `_direct` makes it a write;
    - an HTTP request other than `READ_REQUESTS`: `_http_request` makes it a write.
    Such a call is still a read when its callee is one the index knows (`describe` goes
    on to the index when the receiver is not a session or a client): its names are kept.
    """
    for arg in passed_arguments(call):
        if caller.may_be_session(arg):
            return LOCAL
    func = call.func
    if isinstance(func, ast.Attribute) and ast_dotted_name(func.value) is not None:
        if func.attr in READ_METHODS:
            return LOCAL
        if caller.http and func.attr in READ_REQUESTS:
            return LOCAL
    if isinstance(func, ast.Name) and func.id in caller.local_functions:
        return LOCAL
    return caller.possible_callees(call)


def _names_sessionmaker(text: str) -> bool:
    return "sessionmaker" in text


def _locals(members: list) -> int:
    return sum(1 for m in members if m is LOCAL)


def gate(tree: ast.Module, text: str) -> bool:
    own = _names_sessionmaker(text)
    for run in runs(tree, text):
        if any(_locals(segment) >= 2 for segment in run):
            return True
        if own and _locals([m for segment in run for m in segment]) >= 2:
            return True
    return False


def survey(tree: ast.Module, text: str) -> dict | None:
    """What `gate` could not decide alone: the runs in which at least two members may
    reach the database (`true` for a member that may whatever the project, else its
    callee's possible last names), in their segments; and, for the own-session rewrite,
    whether the file names a sessionmaker and the last names it imports. No runs when
    the gate let the file through."""
    if gate(tree, text):
        return {"runs": []}
    undecided = [
        run
        for run in runs(tree, text)
        if sum(1 for segment in run for m in segment if m) >= 2
    ]
    return {
        "runs": undecided,
        "sessionmaker": _names_sessionmaker(text),
        "imported": imported_last_names(tree) if undecided else [],
    }


def project_gate(
    facts: dict | None,
    read_names: set[str],
    read_suffixes: set[str],
    factory_names: set[str],
) -> bool:
    """May the file hold a finding, knowing the project? `read_names` and
    `read_suffixes` (`read_callees`): what a read member's callee may be named."""
    if facts is None:
        return True  # not surveyed: nothing says it cannot
    own = facts.get("sessionmaker", True) or not factory_names.isdisjoint(
        facts.get("imported", ())
    )

    def known(name: str) -> bool:
        return name in (read_suffixes if "." in name else read_names)

    def database(members: list) -> int:
        return sum(1 for m in members if m is True or any(map(known, m)))

    for run in facts["runs"]:
        if any(database(segment) >= 2 for segment in run):
            return True
        if own and database([m for segment in run for m in segment]) >= 2:
            return True
    return False


# The last session-use index asked about, and the last names and last two names of its
# functions a call of which may be a read.
_READS: tuple[object, set[str], set[str]] | None = None


def read_callees(index) -> tuple[set[str], set[str]]:
    """The last names, and the last two names, of the functions of a session-use index a
    call of which `describe` may make a read: it talks to the database (the callee runs a
    query, opens a session, takes a session, uses its object's or a module-level one) and
    does not write (`Effects.writes`, followed through what it awaits). A call of any
    other indexed function is a write or waits on nothing."""
    global _READS
    if index is None:
        return set(), set()
    if _READS is None or _READS[0] is not index:
        names: set[str] = set()
        suffixes: set[str] = set()
        for qualname, function in index.functions.items():
            if _may_read(index, function):
                names.add(qualname.rpartition(".")[2])
                suffixes.add(".".join(qualname.split(".")[-2:]))
        _READS = (index, names, suffixes)
    return _READS[1], _READS[2]


def _may_read(index, function) -> bool:
    effects = index.effects(function)
    if effects.writes:
        return False
    return bool(
        function.queries
        or effects.opens_session
        or function.session_params
        or function.instance_session is not None
        or effects.shared
    )


def gate_alone(tree: ast.Module, text: str) -> bool:
    """Without the project: two awaited calls in a row in an `async def` (what
    unused-suppression asks to prove the rule cannot fire in a file)."""
    return bool(runs(tree, text))
