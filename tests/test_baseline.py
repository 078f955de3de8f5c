"""`n1fix scan --baseline FILE [--write-baseline]`: CI fails only on findings that are new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from n1fix_project import SERVICE, SERVICE_LINE, make_project, n1fix

from test_cli import finding_lines

# A second N+1, appended to SERVICE: one `session.get` per project.
OWNERS = """

def owners(session: Session, projects: list[Project]) -> dict[int, User | None]:
    result = {}
    for project in projects:
        result[project.id] = session.get(User, project.user_id)
    return result
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "proj")
    run = n1fix(
        "scan",
        "app",
        "--baseline",
        "n1fix-baseline.json",
        "--write-baseline",
        cwd=project,
    )
    assert run.code == 0, run
    assert "Wrote 1 finding" in run.err
    return project


def scan(project: Path, *args: str):
    return n1fix("scan", "app", "--baseline", "n1fix-baseline.json", *args, cwd=project)


def test_written_baseline_records_fingerprints(project: Path) -> None:
    document = json.loads((project / "n1fix-baseline.json").read_text(encoding="utf-8"))
    [entry] = document["findings"]
    assert entry["rule"] == "query-in-loop"
    assert entry["path"] == "app/service.py"
    assert entry["line"] == SERVICE_LINE
    assert len(entry["fingerprint"]) >= 16


def test_unchanged_tree_reports_nothing_new(project: Path) -> None:
    run = scan(project)
    assert run.code == 0, run
    assert finding_lines(run.out) == []
    assert "1 finding recorded in the baseline" in run.err


def test_lines_added_above_keep_the_finding_matched(project: Path) -> None:
    service = project / "app" / "service.py"
    service.write_text(
        '"""Project services."""\n\nimport logging\n\nlog = logging.getLogger(__name__)\n'
        + SERVICE,
        encoding="utf-8",
    )
    run = scan(project)
    assert run.code == 0, run
    assert finding_lines(run.out) == []
    # Without the baseline the finding is still there, five lines lower.
    plain = n1fix("scan", "app", cwd=project)
    assert [int(m["line"]) for m in finding_lines(plain.out)] == [SERVICE_LINE + 5]


def test_one_new_n_plus_1_is_reported_alone(project: Path) -> None:
    service = project / "app" / "service.py"
    service.write_text("# a header comment\n" + SERVICE + OWNERS, encoding="utf-8")
    run = scan(project)
    assert run.code == 1, run
    [new] = finding_lines(run.out)
    assert new["rule"] == "query-in-loop"
    assert "User" in new["msg"]
    assert int(new["line"]) == 1 + SERVICE.count("\n") + OWNERS.count("\n") - 1


def test_a_copy_of_a_known_finding_is_new(project: Path) -> None:
    # Same code twice in one file: the occurrence index tells the copy apart.
    service = project / "app" / "service.py"
    copy = SERVICE[SERVICE.index("def projects_by_user") :].replace(
        "def projects_by_user", "def projects_by_user_again"
    )
    service.write_text(SERVICE + "\n\n" + copy, encoding="utf-8")
    run = scan(project, "--format", "json")
    assert run.code == 1, run
    [new] = json.loads(run.out)["findings"]
    assert new["line"] > SERVICE.count("\n")


def test_baseline_applies_to_every_format(project: Path) -> None:
    (project / "app" / "service.py").write_text(SERVICE + OWNERS, encoding="utf-8")
    run = scan(project, "--format", "github")
    assert run.code == 1, run
    [line] = run.out.splitlines()
    assert line.startswith("::error ") and "User" in line
    run = scan(project, "--format", "sarif")
    [result] = json.loads(run.out)["runs"][0]["results"]
    assert "User" in result["message"]["text"]


def test_missing_or_foreign_baseline_is_a_usage_error(project: Path) -> None:
    run = n1fix("scan", "app", "--baseline", "nope.json", cwd=project)
    assert run.code == 2, run
    assert "nope.json" in run.err and "Traceback" not in run.err
    (project / "other.json").write_text('{"results": []}', encoding="utf-8")
    run = n1fix("scan", "app", "--baseline", "other.json", cwd=project)
    assert run.code == 2, run
    assert "not an n1fix baseline" in run.err


def test_write_baseline_needs_a_file(project: Path) -> None:
    run = n1fix("scan", "app", "--write-baseline", cwd=project)
    assert run.code == 2, run
    assert "--baseline" in run.err


def test_a_new_copy_keeps_its_own_fingerprint_in_sarif(project: Path) -> None:
    # The baseline leaves out the first of two identical findings; the second, reported,
    # must not take the first one's fingerprint (code scanning would match it to that alert).
    service = project / "app" / "service.py"
    copy = SERVICE[SERVICE.index("def projects_by_user") :].replace(
        "def projects_by_user", "def projects_by_user_again"
    )
    service.write_text(SERVICE + "\n\n" + copy, encoding="utf-8")
    run = scan(project, "--format", "sarif")
    assert run.code == 1, run
    [result] = json.loads(run.out)["runs"][0]["results"]
    recorded = {
        e["fingerprint"]
        for e in json.loads((project / "n1fix-baseline.json").read_text())["findings"]
    }
    assert result["partialFingerprints"]["n1fix/v1"] not in recorded
