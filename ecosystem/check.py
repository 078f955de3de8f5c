"""The ecosystem check: run n1fix on pinned releases of real applications and compare
every finding and every fix's diff with the reviewed ledger.

    .venv/bin/python ecosystem/check.py [--project NAME ...] [--update-ledger] [--check]
        [--table] [--cache DIR] [--seed DIR] [--review-dir DIR] [-j N]
        [--timeout S] [--memory-limit MB]

Prints what changed since the ledger (new unreviewed fixes with their diffs, fixes gone,
wrong fixes still offered, label changes, findings new and gone) and the summary tables;
writes the review bundle. See README.md, "Contributing: the ecosystem check".
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ecosystem import summary
from ecosystem.bundle import write_bundle
from ecosystem.compare import Changes, compare, ledger_failures, updated
from ecosystem.fetch import DEFAULT_CACHE
from ecosystem.ledger import (
    LEDGER_DIR,
    LedgerError,
    ProjectLedger,
    ledger_path,
    read_ledger,
    write_ledger,
)
from ecosystem.projects import PROJECTS_FILE, load_projects, select
from ecosystem.report import write_project
from ecosystem.runs import run_all
from n1fix.report.wording import plural


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="ecosystem/check.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--project",
        action="append",
        metavar="NAME",
        help="Only this project (repeatable).",
    )
    parser.add_argument(
        "--update-ledger",
        action="store_true",
        help="Write the ledger: add new fixes and findings as unreviewed, drop gone ones, keep verdicts.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="Exit 1 when a fix is unreviewed, a wrong fix is still offered, or the run differs from the ledger.",
    )
    parser.add_argument(
        "--table",
        action="store_true",
        help="Print only the markdown tables (for docs/real-world-scans.md).",
    )
    parser.add_argument(
        "--no-run",
        action="store_true",
        help="Do not run n1fix: use the ledger as it is (with --table).",
    )
    parser.add_argument(
        "--no-diffs", action="store_true", help="Do not print the diffs of new fixes."
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=DEFAULT_CACHE,
        help=f"Archives and extracted trees (default {DEFAULT_CACHE}).",
    )
    parser.add_argument(
        "--seed",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="A directory holding archives to use before downloading (repeatable).",
    )
    parser.add_argument(
        "--review-dir",
        type=Path,
        help="Where the review bundle goes (default <cache>/review).",
    )
    parser.add_argument(
        "--ledger-dir", type=Path, default=LEDGER_DIR, help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--projects-file", type=Path, default=PROJECTS_FILE, help=argparse.SUPPRESS
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="Projects checked at once (default: CPU count).",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800,
        help="Seconds one project may take (default 1800).",
    )
    parser.add_argument(
        "--memory-limit",
        type=int,
        default=4096,
        metavar="MB",
        help="Address space one project's worker may take; past it that project fails "
        "alone (default 4096; 0: no limit).",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    out = sys.stdout
    try:
        projects = select(load_projects(args.projects_file), args.project)
        ledgers = {
            p.name: _ledger(args.ledger_dir, p.name, p.version) for p in projects
        }
    except (ValueError, LedgerError, OSError) as error:
        print(f"ecosystem: error: {error}", file=sys.stderr)
        return 2

    if args.no_run:
        out.write(summary.markdown_tables(list(ledgers.values())))
        failures = [
            f"{name}: {', '.join(reasons)}"
            for name, l in ledgers.items()
            if (reasons := ledger_failures(l))
        ]
        return _checked(failures) if args.check else 0

    started = time.perf_counter()
    cpu_before = _cpu()

    def progress(run) -> None:
        state = (
            f"FAILED: {run.crashed}"
            if run.crashed
            else f"{plural(run.finding_count, 'finding')}, {plural(len(run.fixes), 'fix', 'fixes')}"
        )
        print(
            f"ecosystem: {run.project} {run.version}: {state} ({run.wall_seconds:.1f} s)",
            file=sys.stderr,
            flush=True,
        )

    runs = run_all(
        projects,
        args.cache,
        args.seed,
        jobs=args.jobs,
        timeout=args.timeout,
        memory_mb=args.memory_limit,
        done=progress,
    )
    wall, cpu = time.perf_counter() - started, _cpu() - cpu_before

    current: dict[str, ProjectLedger] = {}
    all_changes: dict[str, Changes] = {}
    for run in runs:
        ledger = ledgers[run.project]
        if run.crashed:
            current[run.project] = ledger  # a failed run says nothing about the ledger
            continue
        all_changes[run.project] = compare(run, ledger)
        current[run.project] = updated(ledger, run)
        if args.update_ledger:
            write_ledger(
                ledger_path(args.ledger_dir, run.project), current[run.project]
            )

    review_dir = args.review_dir or args.cache / "review"
    good = [run for run in runs if not run.crashed]
    pages = write_bundle(review_dir, good, current, args.ledger_dir) if good else 0

    if args.table:
        out.write(summary.markdown_tables(list(current.values())))
    else:
        for run in runs:
            write_project(
                run, all_changes.get(run.project), out, diffs=not args.no_diffs
            )
        out.write(summary.markdown_tables(list(current.values())))
        out.write(
            f"\n{len(runs)} projects in {wall:.0f} s wall, {cpu:.0f} CPU s; "
            f"review bundle: {review_dir} ({plural(pages, 'fix', 'fixes')} to review)"
            + ("; ledger updated" if args.update_ledger else "")
            + "\n"
        )

    crashed = [run.project for run in runs if run.crashed]
    if args.check:
        failures = [
            f"{name}: {', '.join(c.failures())}"
            for name, c in all_changes.items()
            if c.failures()
        ]
        failures += [f"{name}: the run failed" for name in crashed]
        return _checked(failures)
    return 2 if crashed else 0


def _checked(failures: list[str]) -> int:
    for failure in failures:
        print(f"ecosystem: check: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _ledger(directory: Path, name: str, version: str) -> ProjectLedger:
    path = ledger_path(directory, name)
    return read_ledger(path) if path.is_file() else ProjectLedger(name, version)


def _cpu() -> float:
    """CPU seconds of this process and of the workers it has waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    sys.exit(main())
