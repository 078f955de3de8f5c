"""The parameters a caller passes to a project query function whose decorator supplies
the first ones (`orm.injected_args`): prefect's `@db_injector` functions take `db`
first, and `read_work_queue_by_name(session, ...)` binds `session`, not `db`."""

from __future__ import annotations

from pathlib import Path

from n1fix.orm.dialect import QueryFunction
from n1fix.orm.injected_args import injected_count

# Decorators the batch method repeats without changing what a call means.
PLAIN_DECORATORS = {"staticmethod", "classmethod"}


def injected(ctx, callee: QueryFunction) -> int | None:
    """How many leading parameters of `callee` its decorators supply: 0 without such a
    decorator; None when a decorator is neither plain nor a proven injector, or an
    injector sits where n1fix has not read what it does (a method, or more than one)."""
    others = [d for d in callee.decorators if d not in PLAIN_DECORATORS]
    if not others:
        return 0
    if len(others) > 1 or callee.kind != "function" or ctx.project.root is None:
        return None
    count = injected_count(others[0], Path(callee.path), Path(ctx.project.root))
    if count is None or count > len(callee.params):
        return None
    return count


def call_params(ctx, callee: QueryFunction) -> tuple[str, ...]:
    """The parameters a call's arguments bind, in order."""
    return callee.params[injected(ctx, callee) or 0 :]
