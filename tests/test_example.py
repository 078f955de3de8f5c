"""The bundled example, end to end: `n1fix apply` on a copy keeps every result its demo
prints and lowers the round trips, and a second run finds nothing left to change."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from n1fix_project import N1FIX

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "renderservice"
TABLE = "# SQL round trips"


def _demo(root: Path) -> tuple[str, dict[str, int]]:
    """The demo's results (everything above the table) and its round trips per step."""
    proc = subprocess.run(
        [sys.executable, "demo.py"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    results, table = proc.stdout.split(TABLE)
    counts = {}
    for line in table.strip().splitlines():
        label, count = line.rsplit(maxsplit=1)
        counts[label.strip()] = int(count)
    return results, counts


@pytest.fixture(scope="module")
def applied(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("renderservice")
    shutil.copytree(
        EXAMPLE,
        root,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", "*.db"),
    )
    before = _demo(root)
    proc = subprocess.run(
        [str(N1FIX), "apply", "."], cwd=root, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    again = subprocess.run(
        [str(N1FIX), "apply", "--dry-run", "."],
        cwd=root,
        capture_output=True,
        text=True,
    )
    return {
        "root": root,
        "before": before,
        "after": _demo(root),
        "apply": proc,
        "again": again,
    }


def test_every_result_is_the_same(applied) -> None:
    assert applied["after"][0] == applied["before"][0]


def test_round_trips_go_down_for_each_rule_and_in_total(applied) -> None:
    before, after = applied["before"][1], applied["after"][1]
    assert before.keys() == after.keys()
    # One step per rule, each fixed by its own rewrite (the README's table).
    for step in (
        "dashboard.project_cards(ana)",  # query-in-loop
        "dashboard.dashboard_via_dal(ana)",  # query-in-loop, one call away
        "reports.render_lines(ben-1)",  # lazy-load-in-loop
        "reports.render_ids_by_author(ana-4)",  # related-key-via-relationship
        "reports.unpublish_project(ana-4)",  # write-in-loop
    ):
        assert after[step] < before[step], step
    assert after["total"] < before["total"]


def test_no_call_gains_round_trips(applied) -> None:
    before, after = applied["before"][1], applied["after"][1]
    # Dev has no projects: the batched queries for no keys are skipped, not sent.
    assert (
        after["dashboard.project_cards(dev)"]
        <= before["dashboard.project_cards(dev)"]
        == 1
    )
    gained = {
        step: (before[step], after[step])
        for step in before
        if after[step] > before[step]
    }
    assert not gained, f"(before, after) round trips: {gained}"


def test_gathered_reads_send_the_same_statements(applied) -> None:
    # sequential-awaits saves waiting, not statements: the four reads still run, together.
    assert applied["after"][1]["profile.profile_header(ana) [async]"] == 4
    text = (applied["root"] / "app" / "services" / "profile.py").read_text()
    assert "await asyncio.gather(" in text


def test_a_second_run_changes_nothing(applied) -> None:
    assert applied["again"].returncode == 0, applied["again"].stdout
