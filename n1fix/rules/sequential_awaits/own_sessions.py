"""Reads that share one session, when a sessionmaker is in reach: a session each.

The rewrite real teams make when independent reads share a request's AsyncSession is to
give each read a short-lived session of its own from the application's sessionmaker and
gather them. It changes what the reads see, so it is only ever an unsafe fix: each runs
in its own transaction (it no longer sees what the caller has flushed but not committed),
and the objects it returns belong to a session that is closed (not in the caller's
identity map; unloaded attributes cannot be loaded lazily).

Offered only when every use of the shared session is as an argument or as the receiver
of a session method (so putting the new session in its place changes nothing else), the
session is not a connection, not inside its own `begin()` block
(the reads were meant to share a transaction), and every call is a known read.
"""

from __future__ import annotations

import re

import libcst as cst

from n1fix.cst.chains import dotted_name
from n1fix.cst.syntax import walk
from n1fix.rules.sequential_awaits.gather_groups import Group, Run, split

_CONNECTION = re.compile(r"conn|connection|cursor", re.I)


def sessionmaker_in_reach(ctx) -> str | None:
    """How this module spells a sessionmaker it defines or imports, if any."""
    for statement in ctx.module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            target = (
                small.targets[0].target
                if isinstance(small, cst.Assign) and len(small.targets) == 1
                else getattr(small, "target", None)
            )
            value = getattr(small, "value", None)
            if isinstance(target, cst.Name) and isinstance(value, cst.Call):
                called = (dotted_name(value.func) or "").rpartition(".")[2]
                if called == "async_sessionmaker":
                    return target.value
    index = ctx.project.session_use
    if index is None:
        return None
    for local, qualified in sorted(ctx.imports.items()):
        if "." not in local and index.is_factory(qualified):
            return local
    return None


def sessionmaker_of_class(ctx, method: cst.FunctionDef) -> str | None:
    """`self.session_factory` when the method's class holds a sessionmaker: a class-level
    `session_factory: async_sessionmaker[...]`, or `self.x = ...` in a method from
    `async_sessionmaker(...)` or a parameter annotated as one."""
    owner = next(
        (
            c
            for c in walk(ctx.module, into_scopes=True)
            if isinstance(c, cst.ClassDef) and any(s is method for s in c.body.body)
        ),
        None,
    )
    params = method.params.params
    if (
        owner is None
        or not params
        or any(dotted_name(d.decorator) == "staticmethod" for d in method.decorators)
    ):
        return None
    self_name = params[0].name.value
    for statement in owner.body.body:
        for small in (
            getattr(statement, "body", [])
            if isinstance(statement, cst.SimpleStatementLine)
            else []
        ):
            if (
                isinstance(small, cst.AnnAssign)
                and isinstance(small.target, cst.Name)
                and _names_sessionmaker(ctx, small.annotation)
            ):
                return f"{self_name}.{small.target.value}"
        if isinstance(statement, cst.FunctionDef):
            annotated = {
                p.name.value
                for p in statement.params.params
                if p.annotation and _names_sessionmaker(ctx, p.annotation)
            }
            for node in walk(statement.body):
                if not (isinstance(node, cst.Assign) and len(node.targets) == 1):
                    continue
                target = node.targets[0].target
                if not (
                    isinstance(target, cst.Attribute)
                    and isinstance(target.value, cst.Name)
                ):
                    continue
                value = node.value
                made = isinstance(value, cst.Call) and (
                    dotted_name(value.func) or ""
                ).endswith("async_sessionmaker")
                if made or (isinstance(value, cst.Name) and value.value in annotated):
                    return f"{self_name}.{target.attr.value}"
    return None


def _names_sessionmaker(ctx, annotation: cst.Annotation) -> bool:
    return "sessionmaker" in ctx.code(annotation.annotation)


def own_session_groups(ctx, run: Run, session: str) -> tuple[str, list[Group]] | None:
    """(the sessionmaker, the groups to gather) when the rewrite applies, else None."""
    if _CONNECTION.search(session.rpartition(".")[2]) or session in run.transactions:
        return None
    factory = sessionmaker_in_reach(ctx) or sessionmaker_of_class(ctx, run.function)
    if factory is None or factory == session:
        return None
    groups = [
        group
        for group in split(run, own_session=session)
        if len(group.members) >= 2
        and len(group.database) >= 2
        and all(_replaceable(m, session) for m in group.members)
    ]
    return (factory, groups) if groups else None


def _replaceable(member, session: str) -> bool:
    if member.writes or member.unknown or member.effects:
        return False
    for key, how in member.sessions.items():
        if key != session or not how.startswith(("passes", "calls")):
            return False
    return True
