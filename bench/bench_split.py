#!/usr/bin/env python3
"""Split a cold `n1fix scan` into its two passes, per tree: the survey of every file
(`ast`) and the check of the files the gates let through (LibCST and the rules).

Prints numbers; it is not a test and asserts nothing. See bench/README.md.

    .venv/bin/python bench/bench_split.py                  # the bench's default trees
    .venv/bin/python bench/bench_split.py --only pretix --only prefect
    .venv/bin/python bench/bench_split.py --tree ~/src/app

Why: a tree's cost per line depends on how much of it the check reads, and the check
reads the files that may hold a finding. Issue 18 compares a Django application's cost
with a SQLAlchemy one's; this puts each pass on its own scale (survey CPU seconds per
100,000 lines surveyed, check CPU seconds per 10,000 lines checked) beside how much of
the tree the check read and how much of that held findings.

Each tree is scanned in its own process, `scan --no-cache -j 1`, with CPU timers around
the runner's survey (`_survey_all`) and its per-file check (`_work`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from bench_scan import (  # the bench's own trees, beside this file
    DJANGO_VERSUS_SQLALCHEMY,
    ECO_SRC,
    application_trees,
    default_trees,
)

# Run in the child: time the two passes of one scan and print them as one JSON line.
_CHILD = r"""
import json, sys, time
from pathlib import Path
import n1fix.engine.runner as runner
from n1fix.cli_plain import main

totals = {"survey_cpu": 0.0, "surveyed": 0, "surveyed_lines": 0, "check_cpu": 0.0,
          "checked": 0, "checked_lines": 0, "found_files": 0, "found_lines": 0,
          "findings": 0}

def lines_of(path):
    try:
        return Path(path).read_bytes().count(b"\n")
    except OSError:
        return 0

survey_file = runner.survey_file
def timed_survey_file(path, *args, **kwargs):
    totals["surveyed"] += 1
    totals["surveyed_lines"] += lines_of(path)
    return survey_file(path, *args, **kwargs)
runner.survey_file = timed_survey_file

survey_all = runner._survey_all
def timed_survey_all(*args, **kwargs):
    start = time.process_time()
    try:
        return survey_all(*args, **kwargs)
    finally:
        totals["survey_cpu"] += time.process_time() - start
runner._survey_all = timed_survey_all

work = runner._work
def timed_work(task):
    start = time.process_time()
    outcome = work(task)
    totals["check_cpu"] += time.process_time() - start
    lines = lines_of(task[0])
    totals["checked"] += 1
    totals["checked_lines"] += lines
    if outcome[0] == "found" and outcome[1]:
        totals["found_files"] += 1
        totals["found_lines"] += lines
        totals["findings"] += len(outcome[1])
    return outcome
runner._work = timed_work

sys.argv = ["n1fix", "scan", "--no-cache", "-j", "1", "--format", "json", sys.argv[1]]
try:
    main()
except SystemExit:
    pass
totals["total_cpu"] = time.process_time()
print(json.dumps(totals), file=sys.stderr)
"""


def split(tree: Path, python: str) -> dict | None:
    done = subprocess.run(
        [python, "-c", _CHILD, str(tree)],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=str(tree),
    )
    for line in reversed(done.stderr.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    print(f"{tree}: no timings ({done.stderr.strip()[-300:]})", file=sys.stderr)
    return None


def _per(cpu: float, lines: int, unit: int) -> str:
    return f"{cpu / lines * unit:.2f}" if lines else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, action="append", help="A tree of yours.")
    parser.add_argument(
        "--only", action="append", help="Only this default tree (repeatable)."
    )
    parser.add_argument(
        "--eco-src",
        type=Path,
        default=ECO_SRC,
        help="Where extracted releases are (as bench_scan.py).",
    )
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="The Python that runs n1fix (default: this one).",
    )
    args = parser.parse_args(argv)
    if args.tree:
        trees = [(tree.name, tree.resolve()) for tree in args.tree]
    else:
        trees = default_trees(args.eco_src, skip_django=False)
        known = {label for label, _ in trees}
        trees += [
            pair
            for pair in application_trees(args.eco_src, DJANGO_VERSUS_SQLALCHEMY)
            if pair[0] not in known
        ]
        if args.only:
            trees = [(label, tree) for label, tree in trees if label in args.only]
    print(
        f"{'tree':<14} {'surveyed':>8} {'lines':>7} {'survey s':>8} {'/100k':>6}"
        f" {'checked':>7} {'lines':>6} {'found in':>8} {'lines':>6} {'check s':>7}"
        f" {'/10k':>5} {'total s':>7}"
    )
    for label, tree in trees:
        got = split(tree, args.python)
        if got is None:
            continue
        print(
            f"{label:<14} {got['surveyed']:>8} {got['surveyed_lines']:>7}"
            f" {got['survey_cpu']:>8.2f} {_per(got['survey_cpu'], got['surveyed_lines'], 100_000):>6}"
            f" {got['checked']:>7} {got['checked_lines']:>6} {got['found_files']:>8}"
            f" {got['found_lines']:>6} {got['check_cpu']:>7.2f}"
            f" {_per(got['check_cpu'], got['checked_lines'], 10_000):>5}"
            f" {got['total_cpu']:>7.2f}",
            flush=True,
        )
    print(
        "surveyed: files read by the survey (ast), with their lines; survey s: its CPU"
        " seconds, /100k per 100,000 of those lines. checked: files the gates let"
        " through to the check (LibCST and the rules), with their lines; found in: those"
        " with a finding; check s: the check's CPU seconds, /10k per 10,000 lines"
        " checked. total s: the whole scan's CPU seconds (one process, -j 1)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
