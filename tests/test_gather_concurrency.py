"""A gather rewrite really runs its statements at once; the original never did.

Counting round trips cannot show this (a gather sends the same statements). A latency
shim does: SQLAlchemy's `before_cursor_execute` event runs inside the awaiting task's
greenlet, so an `asyncio.sleep` there holds each statement in flight for a moment and
lets every other task run. The shim records the most statements in flight at once: 1
for code that awaits one read after another, more when reads overlap. Nothing is timed.

Where a run is expected to overlap, the shim holds each statement until a partner is in
flight (or `patience` has passed): a fixed pause let a loaded machine finish the first
statement before the second task had its connection, and the overlap went unseen.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from golden_support import (
    SQLiteBackend,
    discover_cases,
    ensure_golden_on_path,
    run_scenario_detailed,
)
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.util.concurrency import await_only, in_greenlet

ensure_golden_on_path()
CONCURRENT = [case for case in discover_cases() if case.concurrent]
CONCURRENT_REQUESTS = [case for case in discover_cases() if case.concurrent_requests]


class InFlight:
    """How many statements are between being sent and their result, and the most ever."""

    def __init__(self, latency: float = 0.01, patience: float = 0.0) -> None:
        self.latency = latency
        self.patience = patience  # hold a statement until a partner is in flight
        self.now = 0
        self.peak = 0
        self.statements = 0
        self.connections: list[
            int
        ] = []  # the DBAPI connection of each statement in flight
        self.one_connection_overlap = False

    def before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not in_greenlet():
            return  # a sync engine (the PostgreSQL server's own set-up): not part of a run
        self.now += 1
        self.statements += 1
        self.peak = max(self.peak, self.now)
        key = id(conn.connection.dbapi_connection)
        self.one_connection_overlap |= key in self.connections
        self.connections.append(key)
        await_only(self._hold())  # the task yields; the statement stays in flight
        self.connections.remove(key)

    async def _hold(self) -> None:
        await asyncio.sleep(self.latency)
        waited = self.latency
        while self.now < 2 and waited < self.patience:
            await asyncio.sleep(self.latency)
            waited += self.latency

    def after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if in_greenlet():
            self.now -= 1

    def error(self, context) -> None:
        if in_greenlet():
            self.now -= 1


@contextlib.contextmanager
def latency_shim(patience: float = 0.0):
    shim = InFlight(patience=patience)
    # On the Engine class: the run creates its own engine, and every one of them counts.
    listeners = [
        ("before_cursor_execute", shim.before),
        ("after_cursor_execute", shim.after),
        ("handle_error", shim.error),
    ]
    for name, fn in listeners:
        event.listen(Engine, name, fn)
    try:
        yield shim
    finally:
        for name, fn in listeners:
            event.remove(Engine, name, fn)


def backend_for(request, name: str):
    if name == "sqlite":
        return SQLiteBackend()
    return request.getfixturevalue("postgres_server")


def test_there_are_concurrent_cases():
    assert {"sequential-awaits", "awaits-in-loop"} <= {case.rule for case in CONCURRENT}


@pytest.mark.parametrize("case", CONCURRENT, ids=lambda case: case.id)
@pytest.mark.parametrize("backend_name", ("sqlite", "postgresql"))
def test_after_overlaps_statements_before_never_did(case, backend_name, request):
    backend = backend_for(request, backend_name)
    with latency_shim() as before:
        before_result, _ = run_scenario_detailed(case, "before", backend)
    with latency_shim() as after:
        after_result, _ = run_scenario_detailed(case, "after", backend)
    assert after_result == before_result
    assert before.statements > 0 and before.statements == after.statements
    assert before.peak == 1, (
        f"before.py already had {before.peak} statements in flight at once"
    )
    assert after.peak >= 2, "after.py never had two statements in flight at once"
    if case.max_in_flight is not None:
        assert after.peak <= case.max_in_flight, (
            f"after.py had {after.peak} statements in flight at once"
        )


@pytest.mark.parametrize("case", CONCURRENT_REQUESTS, ids=lambda case: case.id)
def test_after_overlaps_requests_before_never_did(case):
    """The same for HTTP requests to the stand-in API (golden/httpstub), whose handler
    holds each request in flight and counts the most at once. No database: SQLite only
    hands the scenario its unused session."""
    import httpstub

    with httpstub.recording() as before:
        before_result, _ = run_scenario_detailed(case, "before", SQLiteBackend())
    with httpstub.recording(patience=2.0) as after:
        after_result, _ = run_scenario_detailed(case, "after", SQLiteBackend())
    assert after_result == before_result
    assert before.requests and sorted(before.requests) == sorted(after.requests)
    assert before.peak == 1, f"before.py already had {before.peak} requests in flight"
    assert after.peak >= 2, "after.py never had two requests in flight at once"


def test_there_are_request_cases():
    assert CONCURRENT_REQUESTS


def test_there_are_bounded_cases():
    assert any(case.max_in_flight is not None for case in CONCURRENT)


def test_the_shim_tells_apart_sequential_separate_and_shared_sessions():
    """The shim's own check: reads awaited one after another never overlap; gathered on
    sessions of their own they do, each on its own connection; gathered on one shared
    AsyncSession they overlap on one connection, the bug the rule refuses to write."""
    from renderapp.models import Base, User
    from renderapp.seed import seed
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import (
        AsyncSession,
        async_sessionmaker,
        create_async_engine,
    )

    async def main(tmp: str) -> tuple[int, int]:
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp}/shim.sqlite3")
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        async with AsyncSession(engine) as session:
            await session.run_sync(seed)
            await session.commit()
        factory = async_sessionmaker(engine)

        async def own(user_id: int):
            async with factory() as session:
                return await session.get(User, user_id)

        with latency_shim() as sequential:
            await own(1)
            await own(2)
        with latency_shim(patience=2.0) as separate:
            await asyncio.gather(own(1), own(2))
        with latency_shim() as shared:
            async with factory() as session:
                with contextlib.suppress(
                    Exception
                ):  # some drivers and states refuse outright
                    await asyncio.gather(
                        session.scalar(select(User.id)),
                        session.scalar(select(User.email)),
                    )
        await engine.dispose()
        return sequential, separate, shared

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        sequential, separate, shared = asyncio.run(main(tmp))
    assert (sequential.peak, sequential.one_connection_overlap) == (1, False)
    assert (separate.peak, separate.one_connection_overlap) == (2, False)
    assert shared.one_connection_overlap or shared.statements < 2


WRONG_GATHERS = [
    case for case in discover_cases() if (case.path / "gathered.py").exists()
]


def test_there_are_wrong_gathers_on_record():
    assert WRONG_GATHERS


@pytest.mark.parametrize("case", WRONG_GATHERS, ids=lambda case: case.id)
@pytest.mark.parametrize("backend_name", ("sqlite", "postgresql"))
def test_a_trap_guards_against_a_gather_that_changes_the_outcome(
    case, backend_name, request
):
    """A trap's `gathered.py` is the rewrite n1fix must not offer (it once did): run as
    the scenario runs the code, it gives another outcome (a refused request's delete
    committed anyway). What the trap's before.py gives is the right one."""
    assert case.after_path is None, "a trap: n1fix must leave the code as it is"
    backend = backend_for(request, backend_name)
    right, _ = run_scenario_detailed(case, "before", backend)
    wrong, _ = run_scenario_detailed(case, "gathered", backend)
    assert wrong != right
