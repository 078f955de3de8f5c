"""How much do the gather rewrites save? Wall time of two golden cases, before and after.

Runs `golden/sequential_awaits/profile_stats` (four DAL reads, each opening its own
session; sequential-awaits) and `golden/awaits_in_loop/bounded_gather` (one DAL search per item
of a loop of 20, gathered at most 5 at once) before and after the rewrite on SQLite
through aiosqlite, with a simulated network round trip added to every statement (an
`asyncio.sleep` in SQLAlchemy's `before_cursor_execute`, as in
tests/test_gather_concurrency.py), and prints the median wall time of each. A measuring
script: it asserts nothing. Expect profile-stats to go from about four round trips to
one, and the loop from 20 to about 20 / 5 = 4.

    .venv/bin/python bench/bench_gather.py [--latency-ms 20] [--repeat 15]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "golden"
PREFIXES = ["Logo", "S", "E", "A", "P", "nothing", "St", "Sp", "Em", "Ar"] * 2
# case -> (what to print, the call to time)
WORKLOADS = {
    "sequential_awaits/profile_stats": (
        "profile-stats, 4 reads",
        lambda module: module.profile_stats(1),
    ),
    "awaits_in_loop/bounded_gather": (
        f"name-suggestions, {len(PREFIXES)} reads in a loop, at most 5 at once",
        lambda module: module.name_suggestions(PREFIXES),
    ),
}
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "golden")]


async def measure(latency: float, repeat: int) -> dict[str, dict[str, float]]:
    from golden_support import forget_module, load_module
    from renderapp import async_dal
    from renderapp.models import Base
    from renderapp.seed import seed
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
    from sqlalchemy.util.concurrency import await_only

    def round_trip(*_args) -> None:
        await_only(asyncio.sleep(latency))

    medians = {}
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_async_engine(f"sqlite+aiosqlite:///{tmp}/bench.sqlite3")
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        async with AsyncSession(engine) as session:
            await session.run_sync(seed)
            await session.commit()
        async_dal.async_session.configure(bind=engine)
        event.listen(engine.sync_engine, "before_cursor_execute", round_trip)
        for case, (_, call) in WORKLOADS.items():
            medians[case] = {}
            for which in ("before", "after"):
                module = load_module(GOLDEN / case / f"{which}.py", f"bench_{which}")
                try:
                    await call(module)  # warm the pool and the statement cache
                    times = []
                    for _ in range(repeat):
                        start = time.perf_counter()
                        await call(module)
                        times.append(time.perf_counter() - start)
                    medians[case][which] = statistics.median(times)
                finally:
                    forget_module(module)
        await engine.dispose()
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=20.0,
        help="simulated round trip per statement",
    )
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    medians = asyncio.run(measure(args.latency_ms / 1000, args.repeat))
    for case, by_version in medians.items():
        print(
            f"{WORKLOADS[case][0]}, {args.latency_ms:g} ms per round trip, median of {args.repeat}:"
        )
        for which, seconds in by_version.items():
            print(
                f"  {which:6} {seconds * 1000:7.1f} ms  ({seconds / (args.latency_ms / 1000):.1f} round trips)"
            )


if __name__ == "__main__":
    main()
