"""The progress bar shows on a terminal for a long scan and never in piped output."""

from __future__ import annotations

import os
from pathlib import Path

import pexpect
from n1fix_project import N1FIX, SERVICE, make_project, n1fix

from n1fix.report.progress import MIN_FILES


def many_files(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "p")
    for i in range(MIN_FILES + 5):
        (project / "app" / f"service_{i}.py").write_text(SERVICE, encoding="utf-8")
    return project


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    project = many_files(tmp_path)
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(
        str(N1FIX),
        ["scan", "app", "--no-cache", "--statistics"],
        cwd=str(project),
        env=env,
        encoding="utf-8",
        timeout=120,
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "n1fix: checking" in child.before
    assert f"{MIN_FILES + 6}  query-in-loop" in child.before


def test_no_progress_bar_when_piped(tmp_path: Path) -> None:
    project = many_files(tmp_path)
    run = n1fix("scan", "app", "--no-cache", "--statistics", cwd=project)
    assert run.code == 1, run
    assert run.err == ""
    assert run.out.split()[:2] == [str(MIN_FILES + 6), "query-in-loop"]
