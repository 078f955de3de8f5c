"""`n1fix audit`: the Markdown audit report, on the bundled example and on small projects."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from n1fix_project import CLEAN, SERVICE_LINE, TWO_LOOPS, make_project, n1fix

from n1fix.engine.runner import RunResult
from n1fix.report import audit_report
from n1fix.rules import all_rules
from n1fix.rules.base import Applicability, Finding, Severity

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "renderservice"
SECTIONS = [
    "## Executive summary",
    "## Worst offenders",
    "## Findings by file",
    "## Performance Metrics Summary",
    "## Implementation Priority",
    "## Best practices",
    "## Reproduce and keep it fixed",
]
# A timing or a speed-up percentage: the report must never make one up.
TIMING = re.compile(
    r"\b\d+(\.\d+)?\s*(ms|milliseconds?|s|seconds?|%)(?!\w)|faster", re.IGNORECASE
)


def diff_blocks(report: str) -> list[str]:
    return re.findall(r"```diff\n(.*?)```", report, re.DOTALL)


@pytest.fixture(scope="module")
def example_report(tmp_path_factory) -> tuple[str, dict]:
    copy = tmp_path_factory.mktemp("audit") / "renderservice"
    shutil.copytree(
        EXAMPLE, copy, ignore=shutil.ignore_patterns("__pycache__", ".n1fix_cache")
    )
    run = n1fix("audit", ".", "-o", "DATABASE_PERFORMANCE_AUDIT.md", cwd=copy)
    assert run.code == 0, run
    assert run.out == ""
    scan = n1fix("scan", ".", "--format", "json", cwd=copy)
    return (copy / "DATABASE_PERFORMANCE_AUDIT.md").read_text(
        encoding="utf-8"
    ), json.loads(scan.out)


def test_example_report_has_every_section_in_order(example_report) -> None:
    report, _ = example_report
    positions = [report.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    assert report.startswith("# Database Performance Audit\n")


def test_example_summary_counts_match_scan(example_report) -> None:
    report, scan = example_report
    summary = scan["summary"]
    assert f"**Files audited:** {summary['files_checked']} (" in report
    assert f"**Findings:** {summary['findings']} (" in report
    by_fix = summary["by_applicability"]
    assert f"{by_fix.get('safe', 0)} safe (`n1fix apply`)" in report
    assert f"{by_fix.get('none', 0)} without a fix" in report


def test_example_lists_every_finding_with_formula_and_fix(example_report) -> None:
    report, scan = example_report
    headings = re.findall(
        r"^#### \d+\. `([a-z-]+)`(?: in `[\w.]+\(\)`)?, lines? (\d+)",
        report,
        re.MULTILINE,
    )
    assert sorted((rule, int(line)) for rule, line in headings) == sorted(
        (f["rule"], f["line"]) for f in scan["findings"]
    )
    formulas = {rule.NAME: rule.ROUND_TRIPS for rule in all_rules()}
    assert report.count("- **Round trips:** `1 + N` now; `2` after the fix") == sum(
        1 for f in scan["findings"] if formulas[f["rule"]] == ("1 + N", "2")
    )
    assert report.count("- **Round trips:** `N` now; `1` after the fix") == sum(
        1 for f in scan["findings"] if f["rule"] == "write-in-loop"
    )
    fixable = [f for f in scan["findings"] if f["applicability"] != "none"]
    assert len(diff_blocks(report)) == len(fixable)
    # Why there is no fix is said where there is none.
    assert "- **Fix:** none (the loop calls `session.add()`)" in report


def test_example_worst_offenders_rank_dashboard_first(example_report) -> None:
    report, scan = example_report
    table = report[
        report.index("## Worst offenders") : report.index("## Findings by file")
    ]
    rows = [line for line in table.splitlines() if re.match(r"^\| \d+ \|", line)]
    per_file: dict[str, int] = {}
    for f in scan["findings"]:
        per_file[f["path"]] = per_file.get(f["path"], 0) + 1
    assert len(rows) == len(per_file)
    first = rows[0].split("|")
    assert first[2].strip() == "`app/services/dashboard.py`"
    assert int(first[3]) == max(per_file.values())
    assert "`project_cards()`" in rows[0]


def test_example_best_practices_come_from_the_rules_that_fired(example_report) -> None:
    report, scan = example_report
    practices = report[report.index("## Best practices") : report.index("## Reproduce")]
    fired = {f["rule"] for f in scan["findings"]}
    for rule in all_rules():
        heading = f"### {rule.MESSAGE} (`{rule.NAME}`)"
        assert (heading in practices) == (rule.NAME in fired), rule.NAME
    assert "```python" in practices


def test_example_report_invents_no_timing(example_report) -> None:
    report, _ = example_report
    prose = re.sub(r"```.*?```", "", report, flags=re.DOTALL)
    assert not TIMING.search(prose), TIMING.search(prose)


def test_the_diff_is_what_apply_would_write(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    run = n1fix("audit", "app", cwd=project)
    assert run.code == 0, run
    [block] = diff_blocks(run.out)
    dry = n1fix("apply", "--dry-run", "app", cwd=project)
    assert block == dry.out
    assert f"lines {SERVICE_LINE}" in run.out or f"line {SERVICE_LINE}" in run.out
    assert "in `projects_by_user()`" in run.out


def test_each_finding_gets_its_own_diff(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", TWO_LOOPS)
    first, second = diff_blocks(n1fix("audit", "app", cwd=project).out)
    assert "Project.user_id == user.id" in first and "session.get(User" not in first
    assert "session.get(User" in second and "Project.user_id == user.id" not in second


def test_clean_project(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", CLEAN)
    run = n1fix("audit", "app", cwd=project)
    assert run.code == 0, run
    assert "No database round-trip waste was found." in run.out
    assert "## Worst offenders" not in run.out


def test_unparsable_file_is_named_and_exits_2(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    (project / "app" / "broken.py").write_text("def f(:\n", encoding="utf-8")
    run = n1fix("audit", "app", "-o", "audit.md", cwd=project)
    assert run.code == 2, run
    report = (project / "audit.md").read_text(encoding="utf-8")
    assert "**Not audited:** 1 path" in report and "broken.py" in report
    assert "#### 1. `query-in-loop`" in report


def test_round_trips_come_from_the_rule(tmp_path: Path) -> None:
    # write-in-loop declares N -> 1; the report quotes what the rule declares.
    source = tmp_path / "jobs.py"
    source.write_text("def f():\n    pass\n", encoding="utf-8")
    finding = Finding(
        rule="write-in-loop",
        path=str(source),
        line=2,
        column=5,
        end_line=2,
        end_column=9,
        message="`Render` is updated once per item",
        severity=Severity.HIGH,
        applicability=Applicability.NONE,
    )
    out = io.StringIO()
    audit_report.write(
        RunResult(findings=[finding], files_checked=1),
        out,
        paths=["."],
        fixes={},
        date="2024-01-01",
    )
    assert "- **Round trips:** `N` now; `1` after the fix" in out.getvalue()
    assert "| `write-in-loop` | high | 1 | 0 | 0 | 1 | `N` | `1` |" in out.getvalue()


def test_a_fix_across_two_files_shows_both(tmp_path: Path) -> None:
    from test_interactive import DAL, SERVICE as DAL_SERVICE, _project

    root = _project(tmp_path)
    (root / "dal.py").write_text(DAL, encoding="utf-8")
    (root / "service.py").write_text(DAL_SERVICE, encoding="utf-8")
    run = n1fix("audit", "service.py", cwd=root)
    assert run.code == 0, run
    [block] = diff_blocks(run.out)
    assert "+++ b/service.py" in block and "+++ b/dal.py" in block
    assert "+def renders_for_projects" in block


def test_metrics_and_priority_from_the_recorded_demo_run(tmp_path: Path) -> None:
    """The metrics table quotes the statements each operation's lines sent in the demo's
    recorded run and the count after the fixes from their batch shape (1 + N -> 2 leaves
    one statement for the batch); nothing is "estimated", no time is given; the
    priority puts safe per-item fixes first, findings without a fix last."""
    import subprocess
    import sys

    copy = tmp_path / "renderservice"
    shutil.copytree(
        EXAMPLE, copy, ignore=shutil.ignore_patterns("__pycache__", ".n1fix_cache")
    )
    subprocess.run(
        [sys.executable, "demo.py", "--quiet", "--trace", "trace.json"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    run = n1fix("audit", ".", "--trace", "trace.json", "-o", "AUDIT.md", cwd=copy)
    assert run.code == 0, run
    report = (copy / "AUDIT.md").read_text(encoding="utf-8")
    metrics = report[report.index("## Performance Metrics Summary") :]
    metrics = metrics[: metrics.index("## Implementation Priority")]
    # project_cards(): two per-project queries, 9 statements each for the 9 projects;
    # each batch is one statement
    assert "| `project_cards()` | 2 | 18 | 2 | 16 |" in metrics
    # delete_chain() has no fix: it keeps what it sent
    assert "| `delete_chain()` | 1 | 5 | 5 | 0 |" in metrics
    assert "in the run recorded in `trace.json`" in metrics
    assert "estimated" not in report.lower()
    assert not TIMING.search(metrics)
    priority = report[report.index("## Implementation Priority") :]
    phases = re.findall(r"^### (Phase \d)", priority, re.MULTILINE)
    assert phases == ["Phase 1", "Phase 3", "Phase 4"]
    first = priority[priority.index("Phase 1") : priority.index("Phase 3")]
    assert "`query-in-loop` (high; sent 9 in the recorded run)" in first
    last = priority[priority.index("Phase 4") :]
    assert "delete_chain()" in last


def test_metrics_without_a_trace_are_the_rules_formulas(example_report) -> None:
    report, _ = example_report
    metrics = report[report.index("## Performance Metrics Summary") :]
    metrics = metrics[: metrics.index("## Implementation Priority")]
    assert "No run was recorded" in metrics
    assert "| `project_cards()` | 2 | `1 + N`, `1 + N` | `2`, `2` |" in metrics
