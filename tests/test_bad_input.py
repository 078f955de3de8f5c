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
from n1fix_project import SERVICE, make_project, n1fix, n1fix_process

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
    # Run as a process: how deep a nesting Python and LibCST take depends on the
    # stack, which pytest's frames (and its unraisable-exception hook) change in-process.
    (project / "app" / "deep.py").write_text(TOO_DEEP_FOR_PYTHON, encoding="utf-8")
    (project / "app" / "deeper.py").write_text(TOO_DEEP_FOR_LIBCST, encoding="utf-8")
    return project


def _assert_deep_files_named(run) -> None:
    for name in ("deep.py", "deeper.py"):
        lines = _named(run, f"app/{name}")
        assert len(lines) == 1, run.err
        assert (
            lines[0].startswith("n1fix: error: ") and "too deeply nested" in lines[0]
        ), lines
    assert "internal error" not in run.err and "Traceback" not in run.err


@pytest.mark.parametrize("output", ["text", "json", "sarif", "github", "markdown"])
def test_too_deep_files_are_their_own_errors_in_scan(
    project: Path, output: str
) -> None:
    _deep_project(project)
    run = n1fix_process(
        "scan", "app", "--format", output, "--no-cache", "--jobs", "1", cwd=project
    )
    assert run.code == 2, run
    _assert_deep_files_named(run)
    assert "service.py" in run.out  # the normal file's finding is still reported
    if output == "json":
        assert len(json.loads(run.out)["findings"]) == 1
    if output == "sarif":
        [result] = json.loads(run.out)["runs"][0]["results"]
        assert result.get("fixes"), (
            "the single-fix report of the normal file is still built"
        )


def test_too_deep_files_are_their_own_errors_in_apply(project: Path) -> None:
    _deep_project(project)
    run = n1fix_process("apply", "app", "--jobs", "1", cwd=project)
    assert run.code == 2, run
    _assert_deep_files_named(run)
    assert (project / "app" / "service.py").read_text(encoding="utf-8") != SERVICE
    assert (project / "app" / "deep.py").read_text(
        encoding="utf-8"
    ) == TOO_DEEP_FOR_PYTHON
    assert (project / "app" / "deeper.py").read_text(
        encoding="utf-8"
    ) == TOO_DEEP_FOR_LIBCST


def test_too_deep_file_in_audit(project: Path) -> None:
    _deep_project(project)
    run = n1fix_process("audit", "app", "--jobs", "1", cwd=project)
    assert run.code == 2, run
    _assert_deep_files_named(run)
    assert "app/service.py" in run.out


def test_too_deep_files_in_worker_processes(project: Path) -> None:
    # Enough files for the process pools of both the survey and the precise pass.
    _deep_project(project)
    for i in range(30):
        (project / "app" / f"service_{i}.py").write_text(SERVICE, encoding="utf-8")
    run = n1fix_process(
        "scan", "app", "--format", "json", "--no-cache", "--jobs", "2", cwd=project
    )
    assert run.code == 2, run
    _assert_deep_files_named(run)
    assert len(json.loads(run.out)["findings"]) == 31
    run = n1fix("apply", "app", "--jobs", "2", cwd=project)
    assert run.code == 2, run
    _assert_deep_files_named(run)
    assert all(
        p.read_text(encoding="utf-8") != SERVICE
        for p in (project / "app").glob("service*.py")
    )


def test_cached_scan_still_names_the_deep_files(project: Path) -> None:
    _deep_project(project)
    first = n1fix_process("scan", "app", "--jobs", "1", cwd=project)
    second = n1fix_process("scan", "app", "--jobs", "1", cwd=project)
    assert first.code == second.code == 2
    _assert_deep_files_named(second)


def test_gate_crash_is_that_files_error(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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
    result = run(
        [project / "app"], project, load_config(project).merged(cache=False), jobs=1
    )
    assert [f.path for f in result.findings] == ["app/service.py"]
    [error] = result.errors
    assert (
        error.startswith("app/odd.py: ") and "gate bug" in error and "\n" not in error
    )


# --- a file name that is not UTF-8 ------------------------------------------------------

posix_bytes_names = pytest.mark.skipif(
    sys.platform in ("win32", "darwin"),
    reason="file names are bytes only on POSIX file systems like Linux's",
)


def _bytes_named(project: Path) -> Path:
    """`app/bad\\xff.py` with the N+1 of SERVICE; the normal app/service.py has it too."""
    path = Path(os.fsdecode(os.fsencode(project / "app") + b"/bad\xff.py"))
    path.write_text(SERVICE, encoding="utf-8")
    return path


@posix_bytes_names
def test_bytes_file_name_in_text_output(project: Path) -> None:
    _bytes_named(project)
    run = n1fix("scan", "app", "--no-cache", cwd=project)
    assert run.code == 1, run
    assert (
        "app/bad\\xff.py:11:20: query-in-loop" in run.out
    )  # the byte, shown as Python writes it
    assert "app/service.py:11:20: query-in-loop" in run.out


@posix_bytes_names
def test_bytes_file_name_in_json_output(project: Path) -> None:
    _bytes_named(project)
    run = n1fix("scan", "app", "--format", "json", "--no-cache", cwd=project)
    assert run.code == 1, run
    paths = sorted(f["path"] for f in json.loads(run.out)["findings"])
    # JSON keeps the name exactly (the byte as Python's surrogateescape reads it): it opens the file.
    assert paths == ["app/bad\udcff.py", "app/service.py"]
    assert (project / paths[0]).read_text(encoding="utf-8") == SERVICE


@posix_bytes_names
def test_bytes_file_name_in_sarif_output(project: Path) -> None:
    _bytes_named(project)
    run = n1fix("scan", "app", "--format", "sarif", "--no-cache", cwd=project)
    assert run.code == 1, run
    results = json.loads(run.out)["runs"][0]["results"]
    uris = sorted(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in results
    )
    assert uris == [
        "app/bad%FF.py",
        "app/service.py",
    ]  # RFC 3986: the byte percent-encoded
    assert all(r.get("fixes") for r in results)


@pytest.mark.parametrize("output", ["github", "markdown"])
@posix_bytes_names
def test_bytes_file_name_in_other_outputs(project: Path, output: str) -> None:
    _bytes_named(project)
    run = n1fix("scan", "app", "--format", output, "--no-cache", cwd=project)
    assert run.code == 1, run
    assert "app/bad\\xff.py" in run.out


@posix_bytes_names
def test_bytes_file_name_in_audit(project: Path, tmp_path: Path) -> None:
    _bytes_named(project)
    report = tmp_path / "audit.md"
    run = n1fix("audit", "app", "-o", report, cwd=project)
    assert run.code == 0, run
    assert "app/bad\\xff.py" in report.read_text(encoding="utf-8")


@posix_bytes_names
def test_bytes_file_name_in_apply(project: Path) -> None:
    bad = _bytes_named(project)
    dry = n1fix("apply", "--dry-run", "app", cwd=project)
    assert dry.code == 1, dry
    assert "+++ b/app/bad\\xff.py" in dry.out
    run = n1fix("apply", "app", cwd=project)
    assert run.code == 0, run
    assert (
        bad.read_text(encoding="utf-8")
        == (project / "app" / "service.py").read_text(encoding="utf-8")
        != SERVICE
    )
    assert n1fix("scan", "app", cwd=project).code == 0


@posix_bytes_names
def test_bytes_file_name_in_baseline(project: Path, tmp_path: Path) -> None:
    _bytes_named(project)
    baseline = tmp_path / "baseline.json"
    run = n1fix("scan", "app", "--baseline", baseline, "--write-baseline", cwd=project)
    assert run.code == 0, run
    assert sorted(
        f["path"] for f in json.loads(baseline.read_text(encoding="utf-8"))["findings"]
    ) == [
        "app/bad\udcff.py",
        "app/service.py",
    ]
    run = n1fix("scan", "app", "--baseline", baseline, cwd=project)
    assert run.code == 0, run
    assert "2 findings recorded in the baseline" in run.err


@posix_bytes_names
def test_unreadable_bytes_file_name_is_one_line(project: Path) -> None:
    bad = _bytes_named(project)
    bad.write_bytes(b"x = '\xff'\n")  # not UTF-8 inside either
    run = n1fix("scan", "app", "--no-cache", cwd=project)
    assert run.code == 2, run
    [line] = [line for line in run.err_lines if "bad" in line]
    assert line.startswith("n1fix: error: app/bad\\xff.py: ")
    assert "app/service.py:11:20" in run.out
