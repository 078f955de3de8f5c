"""How long does `apply` take on one file with many fixes? Time for 25, 100 and 200.

Writes a small SQLAlchemy project whose service module has N functions, each with one
query in a loop that has a safe fix (alternately a list per key and a `session.get`),
applies the fixes in process (`n1fix.engine.api.fix_source`, what `apply` runs per file)
and prints, for each N, the seconds taken (wall and CPU), the fixes applied and whether a second run
changes nothing. A measuring script: it asserts nothing.

    .venv/bin/python bench/bench_many_fixes.py [--sizes 25,100,200]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def measure(fixes: int) -> tuple[float, float, int, int, bool, list[str]]:
    from n1fix_project import make_project, many_loops

    from n1fix.engine.api import fix_source

    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "proj")
        service = project / "app" / "service.py"
        text = many_loops(fixes)
        service.write_text(text, encoding="utf-8")
        start, cpu = time.perf_counter(), time.process_time()
        outcome = fix_source(service, text)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
        stable = (
            not fix_source(service, outcome.text).changed if outcome.changed else True
        )
        return (
            seconds,
            cpu,
            len(outcome.findings),
            len(outcome.applied),
            stable,
            outcome.failures,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="25,100,200", help="comma-separated numbers of fixes"
    )
    args = parser.parse_args()
    # CPU seconds too: on a shared machine the wall time says more about the neighbours.
    print(
        f"{'fixes':>6} {'seconds':>8} {'cpu s':>8} {'found':>6} {'applied':>8}  second run",
        flush=True,
    )
    for size in (int(s) for s in args.sizes.split(",")):
        seconds, cpu, found, applied, stable, failures = measure(size)
        print(
            f"{size:>6} {seconds:>8.1f} {cpu:>8.1f} {found:>6} {applied:>8}  {'no change' if stable else 'CHANGES AGAIN'}",
            flush=True,
        )
        for failure in failures[:3]:
            print(f"       {failure}")


if __name__ == "__main__":
    main()
