"""The parameters a caller passes to a project query function whose decorator supplies
the first ones (`orm.injected_args`): prefect's `@db_injector` functions take `db`
first, and `read_work_queue_by_name(session, ...)` binds `session`, not `db`."""

from __future__ import annotations

from pathlib import Path

from n1fix.orm.dialect import QueryFunction
from n1fix.orm.injected_args import Injection, injection

# Decorators the batch method repeats without changing what a call means.
PLAIN_DECORATORS = {"staticmethod", "classmethod"}


def injected(ctx, callee: QueryFunction) -> int | None:
    """How many leading parameters of `callee` its decorators supply: 0 without such a
    decorator; None when a decorator is neither plain nor a proven injector, or an
    injector sits where n1fix has not read what it does (a method, or more than one)."""
    others = [d for d in callee.decorators if d not in PLAIN_DECORATORS]
    if not others:
        return 0
    found = _injection(ctx, callee, others)
    return None if found is None else found.count


def per_call_unsafe(ctx, callee: QueryFunction) -> list[str]:
    """Why a batch method changes what the injector does: it makes the calls that get
    the injected values (`provide_database_interface()`) once, where the loop made
    them once per item."""
    others = [d for d in callee.decorators if d not in PLAIN_DECORATORS]
    found = _injection(ctx, callee, others) if others else None
    if found is None or not found.per_call:
        return []
    calls = ", ".join(f"`{call}`" for call in found.per_call)
    return [
        (
            f"`@{others[0]}` calls {calls} on every call of `{callee.name}`; the batch "
            "method calls it once for all the keys, and n1fix has not shown that call "
            "free of effects"
        )
    ]


def _injection(ctx, callee: QueryFunction, others: list[str]) -> Injection | None:
    if len(others) > 1 or callee.kind != "function" or ctx.project.root is None:
        return None
    found = injection(others[0], Path(callee.path), Path(ctx.project.root))
    if found is None or found.count > len(callee.params):
        return None
    return found


def call_params(ctx, callee: QueryFunction) -> tuple[str, ...]:
    """The parameters a call's arguments bind, in order."""
    return callee.params[injected(ctx, callee) or 0 :]
