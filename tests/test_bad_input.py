"""One bad file never stops a run: it is that file's error, in one line, and exit 2.

Too deep for Python's own parser (a 20,000-term expression), too deep for LibCST's code
generation (600 terms: Python compiles it), a crash in a gate, a file name that is not
UTF-8: the other files' findings and fixes still come out.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from n1fix_project import SERVICE, make_project, n1fix

# Python's parser gives up on this (RecursionError); CPython cannot compile it either.
TOO_DEEP_FOR_PYTHON = "x = " + " + ".join(["1"] * 20_000) + "\n"
# Python compiles this, but LibCST's (recursive) code generation cannot print it back.
TOO_DEEP_FOR_LIBCST = SERVICE + "\nTOTAL = " + " + ".join(["1"] * 600) + "\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj")


def _named(run, name: str) -> list[str]:
    return [line for line in run.err_lines if name in line]


def _deep_project(project: Path) -> Path:
    (project / "app" / "deep.py").write_text(TOO_DEEP_FOR_PYTHON, encoding="utf-8")
    (project / "app" / "deeper.py").write_text(TOO_DEEP_FOR_LIBCST, encoding="utf-8")
    return project


def _assert_deep_files_named(run) -> None:
    for name in ("deep.py", "deeper.py"):
        lines = _named(run, f"app/{name}")
        assert len(lines) == 1, run.err
        assert lines[0].startswith("n1fix: error: ") and "too deeply nested" in lines[0], lines
    assert "internal error" not in run.err and "Traceback" not in run.err


@pytest.mark.parametrize("output", ["text", "json", "sarif", "github", "markdown"])
def test_too_deep_files_are_their_own_errors_in_scan(project: Path, output: str) -> None:
    _deep_project(project)
    run = n1fix("scan", "app", "--format", output, "--no-cache", "--jobs", "1", cwd=project)
    assert run.code == 2, run
    _assert_deep_files_named(run)
    assert "service.py" in run.out  # the normal file's finding is still reported
    if output == "json":
        assert len(json.loads(run.out)["findings"]) == 1
    if output == "sarif":
        [result] = json.loads(run.out)["runs"][0]["results"]
        assert result.get("fixes"), "the single-fix report of the normal file is still built"


def test_too_deep_files_are_their_own_errors_in_apply(project: Path) -> None:
    _deep_project(project)
    run = n1fix("apply", "app", "--jobs", "1", cwd=project)
    assert run.code == 2, run
    _assert_deep_files_named(run)
    assert (project / "app" / "service.py").read_text(encoding="utf-8") != SERVICE
    assert (project / "app" / "deep.py").read_text(encoding="utf-8") == TOO_DEEP_FOR_PYTHON
    assert (project / "app" / "deeper.py").read_text(encoding="utf-8") == TOO_DEEP_FOR_LIBCST


def test_too_deep_file_in_audit(project: Path) -> None:
    _deep_project(project)
    run = n1fix("audit", "app", "--jobs", "1", cwd=project)
    assert run.code == 2, run
    _assert_deep_files_named(run)
    assert "app/service.py" in run.out


def test_too_deep_files_in_worker_processes(project: Path) -> None:
    # Enough files for the process pools of both the survey and the precise pass.
    _deep_project(project)
    for i in range(30):
        (project / "app" / f"service_{i}.py").write_text(SERVICE, encoding="utf-8")
    run = n1fix("scan", "app", "--format", "json", "--no-cache", "--jobs", "2", cwd=project)
    assert run.code == 2, run
    _assert_deep_files_named(run)
    assert len(json.loads(run.out)["findings"]) == 31
    run = n1fix("apply", "app", "--jobs", "2", cwd=project)
    assert run.code == 2, run
    _assert_deep_files_named(run)
    assert all(p.read_text(encoding="utf-8") != SERVICE for p in (project / "app").glob("service*.py"))


def test_cached_scan_still_names_the_deep_files(project: Path) -> None:
    _deep_project(project)
    first = n1fix("scan", "app", "--jobs", "1", cwd=project)
    second = n1fix("scan", "app", "--jobs", "1", cwd=project)
    assert first.code == second.code == 2
    _assert_deep_files_named(second)


def test_gate_crash_is_that_files_error(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A bug in one rule's gate on one file costs that file, not the survey of the others.
    from n1fix.config import load_config
    from n1fix.engine.runner import run
    from n1fix.rules import rule_by_name

    (project / "app" / "odd.py").write_text("ODD = 1\n", encoding="utf-8")
    rule = rule_by_name("query-in-loop")
    real_gate = rule.gate

    def gate(self, tree, text):
        if "ODD" in text:
            raise RuntimeError("gate bug")
        return real_gate(self, tree, text)

    monkeypatch.setattr(rule, "gate", gate)
    monkeypatch.chdir(project)
    result = run([project / "app"], project, load_config(project).merged(cache=False), jobs=1)
    assert [f.path for f in result.findings] == ["app/service.py"]
    [error] = result.errors
    assert error.startswith("app/odd.py: ") and "gate bug" in error and "\n" not in error
