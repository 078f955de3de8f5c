"""The `n1fix` command end to end: the installed console script on real files in tmp_path.

Covers the README's contract: output formats, exit codes (2 wins over 1), per-file errors
that do not stop the run, `apply` writing atomically with encoding, BOM, line endings and
comments kept, idempotence, configuration in pyproject.toml against the command line,
unsafe fixes, the git warning, `n1fix rules`, and internal errors surfacing as exit 2.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from n1fix import __version__
from n1fix_project import (
    CLEAN,
    N1FIX,
    PYPROJECT,
    SERVICE,
    SERVICE_COLUMN,
    SERVICE_LINE,
    UNSAFE_FIRST,
    make_project,
    n1fix,
)

# `[*]` marks a finding that `n1fix apply` fixes, as in ruff.
FINDING_LINE = re.compile(
    r"^(?P<path>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>[a-z][a-z0-9-]*) (?:(?P<fix>\[\*\]) )?(?P<msg>.+)$"
)
FINDING_KEYS = {
    "rule",
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "message",
    "severity",
    "fixable",
    "applicability",
}


def finding_lines(out: str) -> list[re.Match]:
    return [m for m in map(FINDING_LINE.match, out.splitlines()) if m]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj")


def test_console_script_is_installed() -> None:
    assert N1FIX.exists(), f"{N1FIX} missing: is n1fix installed in this venv?"


# --- scan ------------------------------------------------------------------------------


def test_scan_reports_query_in_loop_and_exits_1(project: Path) -> None:
    run = n1fix("scan", "app", cwd=project)
    assert run.code == 1, run
    found = finding_lines(run.out)
    assert len(found) == 1, run.out
    m = found[0]
    assert m["path"] == os.path.join("app", "service.py")
    assert (int(m["line"]), int(m["col"])) == (SERVICE_LINE, SERVICE_COLUMN)
    assert m["rule"] == "query-in-loop"
    assert m["fix"] == "[*]"  # a safe fix: `n1fix apply` fixes it
    assert "Project" in m["msg"] and "users" in m["msg"]
    assert run.err == ""


def test_scan_single_file_knows_the_models(project: Path) -> None:
    # Given one file, the project root and the models it imports are still found, so the
    # fix is safe (the model and its NOT NULL key are known).
    run = n1fix("scan", "app/service.py", "--format", "json", cwd=project)
    assert run.code == 1, run
    [finding] = json.loads(run.out)["findings"]
    assert finding["applicability"] == "safe"


def test_test_code_is_checked_only_with_include_tests(project: Path) -> None:
    # The same loop in a test file: not reported by scan, apply or audit by default.
    tests = project / "tests"
    tests.mkdir()
    shutil.copy(project / "app" / "service.py", tests / "test_service.py")
    assert [m["path"] for m in finding_lines(n1fix("scan", ".", cwd=project).out)] == [
        os.path.join("app", "service.py")
    ]
    assert (
        "tests/test_service.py" not in n1fix("apply", ".", "--dry-run", cwd=project).out
    )
    assert "test_service.py" not in n1fix("audit", ".", cwd=project).out
    found = finding_lines(n1fix("scan", ".", "--include-tests", cwd=project).out)
    assert sorted(m["path"] for m in found) == [
        os.path.join("app", "service.py"),
        os.path.join("tests", "test_service.py"),
    ]
    assert (
        "tests/test_service.py"
        in n1fix("apply", ".", "--dry-run", "--include-tests", cwd=project).out
    )
    with (project / "pyproject.toml").open("a", encoding="utf-8") as file:
        file.write("\n[tool.n1fix]\ninclude-tests = true\n")
    assert len(finding_lines(n1fix("scan", ".", cwd=project).out)) == 2


def test_scan_clean_file_exits_0(project: Path) -> None:
    (project / "app" / "service.py").write_text(CLEAN, encoding="utf-8")
    run = n1fix("scan", "app", cwd=project)
    assert run.code == 0, run
    assert finding_lines(run.out) == []
    assert run.err == ""


def test_scan_json_has_documented_keys(project: Path) -> None:
    run = n1fix("scan", "app", "--format", "json", cwd=project)
    assert run.code == 1, run
    data = json.loads(run.out)
    assert set(data) >= {"findings", "summary"}
    [finding] = data["findings"]
    assert set(finding) == FINDING_KEYS
    assert finding["rule"] == "query-in-loop"
    assert finding["path"] == os.path.join("app", "service.py")
    assert (finding["line"], finding["column"]) == (SERVICE_LINE, SERVICE_COLUMN)
    assert finding["end_line"] >= finding["line"]
    assert (
        finding["end_line"] > finding["line"]
        or finding["end_column"] > finding["column"]
    )
    assert finding["severity"] == "high"
    assert finding["fixable"] is True
    assert finding["applicability"] == "safe"
    assert isinstance(finding["message"], str) and finding["message"]
    summary = data["summary"]
    assert summary["findings"] == 1
    assert summary["files_checked"] >= 1
    assert summary["errors"] == []


def test_scan_json_clean_exits_0(project: Path) -> None:
    (project / "app" / "service.py").write_text(CLEAN, encoding="utf-8")
    run = n1fix("scan", "app", "--format", "json", cwd=project)
    assert run.code == 0, run
    data = json.loads(run.out)
    assert data["findings"] == []
    assert data["summary"]["findings"] == 0


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_rule_on_command_line_is_a_usage_error(
    project: Path, option: str
) -> None:
    run = n1fix("scan", "app", option, "no-such-rule", cwd=project)
    assert run.code == 2, run
    assert len(run.err_lines) == 1, run.err
    assert "no-such-rule" in run.err_lines[0]
    assert "Traceback" not in run.err
    assert finding_lines(run.out) == []


def test_unknown_rule_among_known_ones_is_a_usage_error(project: Path) -> None:
    run = n1fix("scan", "app", "--ignore", "query-in-loop,nope", cwd=project)
    assert run.code == 2, run
    assert len(run.err_lines) == 1 and "nope" in run.err_lines[0], run.err


@pytest.mark.parametrize("command", ["scan", "apply"])
def test_unknown_option_exits_2(project: Path, command: str) -> None:
    before = (project / "app" / "service.py").read_bytes()
    run = n1fix(command, "app", "--no-such-option", cwd=project)
    assert run.code == 2, run
    assert "--no-such-option" in run.err
    assert "Traceback" not in run.err
    assert (project / "app" / "service.py").read_bytes() == before


def test_no_paths_argument_scans_the_current_directory(project: Path) -> None:
    run = n1fix("scan", cwd=project)
    assert run.code == 1, run
    assert len(finding_lines(run.out)) == 1, run.out


def test_nonexistent_path_exits_2_and_other_paths_are_still_scanned(
    project: Path,
) -> None:
    run = n1fix("scan", "app", "missing.py", cwd=project)
    assert run.code == 2, run
    # The findings of the paths that exist are still printed...
    assert len(finding_lines(run.out)) == 1, run.out
    # ...and the missing one is named, once, in one line.
    named = [line for line in run.err_lines if "missing.py" in line]
    assert len(named) == 1, run.err
    assert named[0].startswith("n1fix: error:")
    assert "no such file" in named[0]


def test_syntax_error_exits_2_and_other_files_are_still_reported(project: Path) -> None:
    (project / "app" / "broken.py").write_text("def f(:\n    pass\n", encoding="utf-8")
    run = n1fix("scan", "app", cwd=project)
    assert run.code == 2, run  # 2 wins over 1
    assert len(finding_lines(run.out)) == 1, run.out
    named = [line for line in run.err_lines if "broken.py" in line]
    assert len(named) == 1, run.err
    assert named[0].startswith("n1fix: error:")
    assert "syntax error" in named[0]
    assert "Traceback" not in run.err


def test_syntax_error_in_json_output(project: Path) -> None:
    (project / "app" / "broken.py").write_text("def f(:\n", encoding="utf-8")
    run = n1fix("scan", "app", "--format", "json", cwd=project)
    assert run.code == 2, run
    data = json.loads(run.out)
    assert len(data["findings"]) == 1
    assert any("broken.py" in error for error in data["summary"]["errors"])


def test_syntax_error_during_dry_run_still_shows_diff(project: Path) -> None:
    (project / "app" / "broken.py").write_text("def f(:\n", encoding="utf-8")
    run = n1fix("apply", "--dry-run", "app", cwd=project)
    assert run.code == 2, run  # 2 wins over 1
    assert "+++ b/app/service.py" in run.out
    assert len([line for line in run.err_lines if "broken.py" in line]) == 1, run.err


def test_same_file_given_twice_is_reported_once(project: Path) -> None:
    run = n1fix(
        "scan",
        "app",
        "app/service.py",
        "./app/service.py",
        str(project / "app"),
        cwd=project,
    )
    assert run.code == 1, run
    assert len(finding_lines(run.out)) == 1, run.out


def test_syntax_error_during_apply_still_fixes_other_files(project: Path) -> None:
    broken = project / "app" / "broken.py"
    broken.write_text("def f(:\n", encoding="utf-8")
    run = n1fix("apply", "app", cwd=project)
    assert run.code == 2, run
    assert [
        line
        for line in run.err_lines
        if "broken.py" in line and line.startswith("n1fix: error:")
    ]
    assert (project / "app" / "service.py").read_text(encoding="utf-8") != SERVICE
    assert broken.read_text(encoding="utf-8") == "def f(:\n"


def test_undecodable_file_exits_2_with_one_line(project: Path) -> None:
    (project / "app" / "bad.py").write_bytes(b"x = '\xff\xfe'\n")
    run = n1fix("scan", "app", cwd=project)
    assert run.code == 2, run
    assert len(finding_lines(run.out)) == 1
    named = [line for line in run.err_lines if "bad.py" in line]
    assert len(named) == 1 and "utf-8" in named[0], run.err


# --- apply -----------------------------------------------------------------------------


def test_apply_dry_run_prints_diff_and_writes_nothing(project: Path) -> None:
    service = project / "app" / "service.py"
    before = service.read_bytes()
    mtime = service.stat().st_mtime_ns
    run = n1fix("apply", "--dry-run", "app", cwd=project)
    assert run.code == 1, run
    assert service.read_bytes() == before
    assert service.stat().st_mtime_ns == mtime
    lines = run.out.splitlines()
    assert "--- a/app/service.py" in lines and "+++ b/app/service.py" in lines, run.out
    assert any(line.startswith("@@ -") for line in lines)
    removed = [
        line for line in lines if line.startswith("-") and not line.startswith("---")
    ]
    added = [
        line for line in lines if line.startswith("+") and not line.startswith("+++")
    ]
    assert any("Project.user_id == user.id" in line for line in removed)
    assert any(".in_(" in line for line in added)
    # No stray files next to the source (temporary files, backups).
    assert sorted(p.name for p in (project / "app").iterdir() if p.is_file()) == [
        "__init__.py",
        "models.py",
        "service.py",
    ]


def test_apply_dry_run_diff_applies_with_patch(project: Path, tmp_path: Path) -> None:
    if shutil.which("patch") is None:
        pytest.skip("patch is not installed")
    dry = n1fix("apply", "--dry-run", "app", cwd=project)
    assert dry.code == 1
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    subprocess.run(
        ["patch", "-p1", "-s"], input=dry.out, text=True, cwd=copy, check=True
    )
    assert n1fix("apply", "app", cwd=project).code == 0
    assert (copy / "app" / "service.py").read_bytes() == (
        project / "app" / "service.py"
    ).read_bytes()


def test_apply_dry_run_on_clean_project_exits_0(project: Path) -> None:
    (project / "app" / "service.py").write_text(CLEAN, encoding="utf-8")
    run = n1fix("apply", "--dry-run", "app", cwd=project)
    assert run.code == 0, run
    assert run.out == ""


def test_apply_writes_then_is_idempotent(project: Path) -> None:
    service = project / "app" / "service.py"
    first = n1fix("apply", "app", cwd=project)
    assert first.code == 0, first
    fixed = service.read_bytes()
    assert fixed != SERVICE.encode()
    text = fixed.decode("utf-8")
    assert "Project.user_id.in_(" in text
    assert "Project.user_id == user.id" not in text
    assert "# one query per user" in text  # comments kept
    compile(text, str(service), "exec", dont_inherit=True)

    second = n1fix("apply", "app", cwd=project)
    assert second.code == 0, second
    assert service.read_bytes() == fixed

    dry = n1fix("apply", "--dry-run", "app", cwd=project)
    assert dry.code == 0, dry
    assert dry.out == ""

    scan = n1fix("scan", "app", "--format", "json", cwd=project)
    assert not [f for f in json.loads(scan.out)["findings"] if f["fixable"]], scan.out


def test_apply_keeps_file_mode(project: Path) -> None:
    service = project / "app" / "service.py"
    service.chmod(0o640)
    assert n1fix("apply", "app", cwd=project).code == 0
    assert stat.S_IMODE(service.stat().st_mode) == 0o640
    assert service.read_text(encoding="utf-8") != SERVICE


def _fixed_text(project: Path) -> str:
    """What `apply` makes of SERVICE with plain UTF-8 and LF line endings."""
    assert n1fix("apply", "app", cwd=project).code == 0
    return (project / "app" / "service.py").read_text(encoding="utf-8")


def test_apply_keeps_utf8_bom(project: Path, tmp_path: Path) -> None:
    expected = _fixed_text(make_project(tmp_path / "reference"))
    service = project / "app" / "service.py"
    service.write_bytes(codecs.BOM_UTF8 + SERVICE.encode("utf-8"))
    run = n1fix("apply", "app", cwd=project)
    assert run.code == 0, run
    data = service.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    assert not data[3:].startswith(codecs.BOM_UTF8)
    assert data[3:].decode("utf-8") == expected


def test_apply_keeps_crlf_line_endings(project: Path, tmp_path: Path) -> None:
    expected = _fixed_text(make_project(tmp_path / "reference"))
    service = project / "app" / "service.py"
    service.write_bytes(SERVICE.replace("\n", "\r\n").encode("utf-8"))
    run = n1fix("apply", "app", cwd=project)
    assert run.code == 0, run
    data = service.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n"), "every line ending is CRLF"
    assert data.decode("utf-8") == expected.replace("\n", "\r\n")
    assert n1fix("apply", "app", cwd=project).code == 0
    assert service.read_bytes() == data


def test_apply_keeps_latin1_coding_cookie_and_non_ascii_comments(project: Path) -> None:
    service = project / "app" / "service.py"
    source = "# -*- coding: latin-1 -*-\n" + SERVICE.replace(
        "# one query per user", "# requête café, déjà vu"
    )
    service.write_bytes(source.encode("latin-1"))
    run = n1fix("apply", "app", cwd=project)
    assert run.code == 0, run
    data = service.read_bytes()
    assert data.startswith(b"# -*- coding: latin-1 -*-\n")
    assert "# requête café, déjà vu".encode("latin-1") in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # still latin-1, not re-encoded as UTF-8
    text = data.decode("latin-1")
    assert "Project.user_id.in_(" in text
    compile(data, str(service), "exec", dont_inherit=True)


def test_apply_keeps_comments(project: Path) -> None:
    service = project / "app" / "service.py"
    source = SERVICE.replace(
        "    result = {}\n", "    result = {}  # keyed by user id\n"
    ).replace("    return result\n", "    # done\n    return result  # the map\n")
    service.write_text("# service module header\n" + source, encoding="utf-8")
    assert n1fix("apply", "app", cwd=project).code == 0
    text = service.read_text(encoding="utf-8")
    for comment in (
        "# service module header",
        "# keyed by user id",
        "# one query per user",
        "# done",
        "# the map",
    ):
        assert comment in text, f"{comment!r} lost:\n{text}"
    assert "Project.user_id.in_(" in text


def test_apply_keeps_comments_inside_the_query(project: Path) -> None:
    service = project / "app" / "service.py"
    service.write_text(
        SERVICE.replace(
            "    for user in users:\n",
            "    for user in users:  # every user\n",
        ).replace(
            "        projects = session.scalars(select(Project).where(Project.user_id == user.id)).all()\n",
            "        projects = session.scalars(  # fetch\n"
            "            select(Project)  # only this user's\n"
            "            .where(Project.user_id == user.id)  # the key\n"
            "        ).all()  # materialise\n",
        ),
        encoding="utf-8",
    )
    assert n1fix("apply", "app", cwd=project).code == 0
    text = service.read_text(encoding="utf-8")
    assert "Project.user_id.in_(" in text
    for comment in (
        "# every user",
        "# one query per user",
        "# fetch",
        "# only this user's",
        "# the key",
        "# materialise",
    ):
        assert text.count(comment) == 1, f"{comment!r}:\n{text}"
    compile(text, str(service), "exec", dont_inherit=True)


def test_apply_through_worker_processes(project: Path) -> None:
    # Enough files for the process pool; the result is the same as in one process.
    for i in range(30):
        (project / "app" / f"service_{i}.py").write_text(SERVICE, encoding="utf-8")
    one = n1fix(
        "scan", "app", "--format", "json", "--jobs", "1", "--no-cache", cwd=project
    )
    two = n1fix(
        "scan", "app", "--format", "json", "--jobs", "2", "--no-cache", cwd=project
    )
    assert (one.code, two.code) == (1, 1)
    assert json.loads(one.out) == json.loads(two.out)
    assert len(json.loads(two.out)["findings"]) == 31
    run = n1fix("apply", "app", "--jobs", "2", cwd=project)
    assert run.code == 0, run
    texts = {
        p.read_text(encoding="utf-8") for p in (project / "app").glob("service*.py")
    }
    assert len(texts) == 1 and SERVICE not in texts
    assert n1fix("scan", "app", cwd=project).code == 0


def test_apply_read_only_file_exits_2_and_is_unchanged(project: Path) -> None:
    service = project / "app" / "service.py"
    service.chmod(0o444)
    try:
        run = n1fix("apply", "app", cwd=project)
        assert run.code == 2, run
        named = [
            line
            for line in run.err_lines
            if "service.py" in line and "read-only" in line
        ]
        assert len(named) == 1, run.err
        assert named[0].startswith("n1fix: error:")
        assert service.read_text(encoding="utf-8") == SERVICE
        assert stat.S_IMODE(service.stat().st_mode) == 0o444
        assert [
            p.name for p in (project / "app").iterdir() if "n1fix-tmp" in p.name
        ] == []
    finally:
        service.chmod(0o644)


def test_apply_read_only_file_is_not_reported_as_fixed(project: Path) -> None:
    # The file could not be written, so the summary must not claim it was fixed.
    service = project / "app" / "service.py"
    service.chmod(0o444)
    try:
        run = n1fix("apply", "app", cwd=project)
        assert run.code == 2, run
        assert not any(line.startswith("Fixed 1 finding") for line in run.err_lines), (
            run.err
        )
    finally:
        service.chmod(0o644)


# --- git -------------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=a@b", "-c", "user.name=n", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def git_project(project: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git(project, "init", "-q")
    _git(project, "add", ".")
    _git(project, "commit", "-q", "-m", "initial")
    return project


def test_apply_warns_about_uncommitted_changes(git_project: Path) -> None:
    (git_project / "app" / "other.py").write_text("x = 1\n", encoding="utf-8")
    run = n1fix("apply", "app", cwd=git_project)
    assert run.code == 0, run
    warnings = [line for line in run.err_lines if "git diff" in line]
    assert len(warnings) == 1, run.err
    assert "warning" in warnings[0]
    assert "git diff" not in run.out


def test_apply_on_clean_git_tree_does_not_warn(git_project: Path) -> None:
    run = n1fix("apply", "app", cwd=git_project)
    assert run.code == 0, run
    assert "git diff" not in run.err, run.err
    assert (git_project / "app" / "service.py").read_text(encoding="utf-8") != SERVICE


def test_apply_dry_run_does_not_warn(git_project: Path) -> None:
    (git_project / "app" / "other.py").write_text("x = 1\n", encoding="utf-8")
    run = n1fix("apply", "--dry-run", "app", cwd=git_project)
    assert run.code == 1, run
    assert "git diff" not in run.err


# --- configuration ---------------------------------------------------------------------


def test_config_ignore_silences_the_rule(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "proj",
        pyproject=PYPROJECT + '\n[tool.n1fix]\nignore = ["query-in-loop"]\n',
    )
    run = n1fix("scan", "app", cwd=project)
    assert run.code == 0, run
    assert finding_lines(run.out) == []


def _configured(tmp_path: Path, name: str, table: str, service: str = SERVICE) -> Path:
    """A fresh project (no results cache from an earlier run) with `[tool.n1fix]` `table`."""
    return make_project(
        tmp_path / name, service, pyproject=PYPROJECT + "\n[tool.n1fix]\n" + table
    )


def test_config_empty_select_runs_no_rule(tmp_path: Path) -> None:
    project = _configured(tmp_path, "proj", "select = []\n")
    assert n1fix("scan", "app", cwd=project).code == 0


def test_command_line_select_replaces_config_select(tmp_path: Path) -> None:
    project = _configured(tmp_path, "proj", "select = []\n")
    run = n1fix("scan", "app", "--select", "query-in-loop", cwd=project)
    assert run.code == 1, run
    assert len(finding_lines(run.out)) == 1


def test_command_line_ignore_wins_over_config_select(tmp_path: Path) -> None:
    assert (
        n1fix(
            "scan",
            "app",
            cwd=_configured(tmp_path, "a", 'select = ["query-in-loop"]\n'),
        ).code
        == 1
    )
    run = n1fix(
        "scan",
        "app",
        "--ignore",
        "query-in-loop",
        cwd=_configured(tmp_path, "b", 'select = ["query-in-loop"]\n'),
    )
    assert run.code == 0, run


def test_command_line_select_wins_over_config_ignore(tmp_path: Path) -> None:
    # README: "In pyproject.toml (the command line wins)". As in ruff, naming a rule with
    # --select on the command line turns it on, whatever the file ignores.
    project = make_project(
        tmp_path / "proj",
        pyproject=PYPROJECT + '\n[tool.n1fix]\nignore = ["query-in-loop"]\n',
    )
    run = n1fix("scan", "app", "--select", "query-in-loop", cwd=project)
    assert run.code == 1, run
    assert len(finding_lines(run.out)) == 1


def test_config_unknown_rule_is_an_error(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "proj",
        pyproject=PYPROJECT + '\n[tool.n1fix]\nignore = ["query-in-lop"]\n',
    )
    run = n1fix("scan", "app", cwd=project)
    assert run.code == 2, run
    assert len(run.err_lines) == 1 and "query-in-lop" in run.err_lines[0], run.err


def test_config_unknown_key_is_an_error(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "proj", pyproject=PYPROJECT + "\n[tool.n1fix]\nunsafe_fixes = true\n"
    )
    run = n1fix("scan", "app", cwd=project)
    assert run.code == 2, run
    assert len(run.err_lines) == 1, run.err
    assert "unsafe_fixes" in run.err_lines[0] and "pyproject.toml" in run.err_lines[0]
    assert "Traceback" not in run.err


def test_config_extend_exclude(tmp_path: Path) -> None:
    table = 'extend-exclude = ["app/service.py"]\n'
    assert n1fix("scan", "app", cwd=_configured(tmp_path, "a", table)).code == 0
    # A file named on the command line is taken, unless the excludes are forced on it.
    assert (
        n1fix("scan", "app/service.py", cwd=_configured(tmp_path, "b", table)).code == 1
    )
    assert (
        n1fix(
            "scan",
            "--force-exclude",
            "app/service.py",
            cwd=_configured(tmp_path, "c", table),
        ).code
        == 0
    )
    forced = table + "force-exclude = true\n"
    assert (
        n1fix("scan", "app/service.py", cwd=_configured(tmp_path, "d", forced)).code
        == 0
    )


def test_a_fifo_named_py_is_skipped_with_a_warning(project: Path) -> None:
    os.mkfifo(project / "app" / "pipe.py")
    run = n1fix("scan", "app", cwd=project)
    assert run.code == 1, run  # the other files' findings; a skipped FIFO is no error
    assert run.err_lines == ["n1fix: warning: app/pipe.py: a FIFO, not a file; skipped"]


def test_fifos_where_n1fix_reads_do_not_hang_it(project: Path) -> None:
    # A FIFO blocks whoever opens it for reading until someone writes: planted under the
    # names n1fix reads, each would hang the run.
    os.mkfifo(project / "app" / ".gitignore")
    (project / ".n1fix_cache").mkdir()
    os.mkfifo(project / ".n1fix_cache" / f"results-{__version__}.json")
    os.mkfifo(project / "app" / "pipe.py")
    run = n1fix("scan", "app", "app/pipe.py", cwd=project, timeout=60)
    assert run.code == 2, run
    assert "n1fix: error: app/pipe.py: not a regular file" in run.err_lines
    assert "query-in-loop" in run.out
    (project / "pyproject.toml").unlink()
    os.mkfifo(project / "pyproject.toml")
    run = n1fix("scan", "app", cwd=project, timeout=60)
    assert (
        run.code == 2 and "pyproject.toml: cannot read: not a regular file" in run.err
    ), run


# --- results cache ---------------------------------------------------------------------


def test_scan_twice_gives_the_same_findings(project: Path) -> None:
    first = n1fix("scan", "app", "--format", "json", cwd=project)
    second = n1fix("scan", "app", "--format", "json", cwd=project)
    assert (first.code, second.code) == (1, 1)
    assert json.loads(first.out) == json.loads(second.out)


def test_cache_sees_an_edited_file(project: Path) -> None:
    assert n1fix("scan", "app", cwd=project).code == 1
    (project / "app" / "service.py").write_text(CLEAN, encoding="utf-8")
    assert n1fix("scan", "app", cwd=project).code == 0
    (project / "app" / "service.py").write_text(SERVICE, encoding="utf-8")
    assert n1fix("scan", "app", cwd=project).code == 1


def test_scan_after_a_run_that_ignored_the_rule_still_finds_it(project: Path) -> None:
    # The first run caches its surveys; they must not make the second run skip the rule.
    assert n1fix("scan", "app", "--ignore", "query-in-loop", cwd=project).code == 0
    run = n1fix("scan", "app", cwd=project)
    assert run.code == 1, run
    assert len(finding_lines(run.out)) == 1


def test_scan_no_cache_matches_cached_scan(project: Path) -> None:
    assert n1fix("scan", "app", "--ignore", "query-in-loop", cwd=project).code == 0
    run = n1fix("scan", "app", "--no-cache", cwd=project)
    assert run.code == 1, run


# --- unsafe fixes ----------------------------------------------------------------------


def test_unsafe_fix_only_with_unsafe_fixes(project: Path) -> None:
    service = project / "app" / "service.py"
    service.write_text(UNSAFE_FIRST, encoding="utf-8")

    scan = n1fix("scan", "app", "--format", "json", cwd=project)
    assert scan.code == 1
    [finding] = json.loads(scan.out)["findings"]
    assert finding["applicability"] == "unsafe"
    assert finding["fixable"] is True

    dry = n1fix("apply", "--dry-run", "app", cwd=project)
    assert dry.code == 0, dry
    assert dry.out == ""

    plain = n1fix("apply", "app", cwd=project)
    assert plain.code == 0, plain
    assert service.read_text(encoding="utf-8") == UNSAFE_FIRST
    assert "--unsafe-fixes" in plain.err  # the summary says how to get the rest

    dry_unsafe = n1fix("apply", "--dry-run", "--unsafe-fixes", "app", cwd=project)
    assert dry_unsafe.code == 1, dry_unsafe
    assert service.read_text(encoding="utf-8") == UNSAFE_FIRST

    unsafe = n1fix("apply", "--unsafe-fixes", "app", cwd=project)
    assert unsafe.code == 0, unsafe
    text = service.read_text(encoding="utf-8")
    assert text != UNSAFE_FIRST
    assert "Project.user_id.in_(" in text
    compile(text, str(service), "exec", dont_inherit=True)
    assert n1fix("scan", "app", cwd=project).code == 0


def test_unsafe_fixes_from_config(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "proj",
        UNSAFE_FIRST,
        pyproject=PYPROJECT + "\n[tool.n1fix]\nunsafe-fixes = true\n",
    )
    run = n1fix("apply", "app", cwd=project)
    assert run.code == 0, run
    assert (project / "app" / "service.py").read_text(encoding="utf-8") != UNSAFE_FIRST


# --- rules -----------------------------------------------------------------------------


def test_rules_lists_query_in_loop(tmp_path: Path) -> None:
    run = n1fix("rules", cwd=tmp_path)
    assert run.code == 0, run
    names = [line.split()[0] for line in run.out.splitlines() if line.strip()]
    assert "query-in-loop" in names


def test_rules_shows_one_rule_with_its_sections(tmp_path: Path) -> None:
    run = n1fix("rules", "query-in-loop", cwd=tmp_path)
    assert run.code == 0, run
    assert "query-in-loop" in run.out.splitlines()[0]
    positions = []
    for section in (
        "What it does",
        "Why is this bad?",
        "Example",
        "Use instead",
        "Fix safety",
    ):
        heading = re.search(rf"^#+ {re.escape(section)}$", run.out, re.MULTILINE)
        assert heading, f"section {section!r} missing:\n{run.out}"
        positions.append(heading.start())
    assert positions == sorted(positions)


def test_rules_unknown_exits_2(tmp_path: Path) -> None:
    run = n1fix("rules", "nope", cwd=tmp_path)
    assert run.code == 2, run
    assert len(run.err_lines) == 1 and "nope" in run.err_lines[0], run.err
    assert run.out == ""


def test_no_arguments_shows_help_without_error(tmp_path: Path) -> None:
    run = n1fix(cwd=tmp_path)
    assert "scan" in run.out + run.err and "apply" in run.out + run.err
    assert "Traceback" not in run.err


# --- internal errors -------------------------------------------------------------------


def _main(monkeypatch: pytest.MonkeyPatch, cwd: Path, *args: str) -> int:
    import n1fix.cli

    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "argv", ["n1fix", *args])
    with pytest.raises(SystemExit) as exit_info:
        n1fix.cli.main()
    return exit_info.value.code


def _boom(*args, **kwargs):
    raise RuntimeError("boom from a test")


@pytest.mark.parametrize(
    "command",
    [["scan"], ["scan", "--format", "json"], ["apply"], ["apply", "--dry-run"]],
)
def test_rule_crash_is_exit_2_with_one_line(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    from n1fix.rules import rule_by_name

    rule = rule_by_name("query-in-loop")
    monkeypatch.setattr(rule, "check", _boom)
    code = _main(monkeypatch, project, *command, "app", "--jobs", "1")
    captured = capsys.readouterr()
    assert code == 2, captured
    lines = [line for line in captured.err.splitlines() if "boom from a test" in line]
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("n1fix: ") and "internal error" in lines[0]
    assert "Traceback" not in captured.err
    assert (project / "app" / "service.py").read_text(encoding="utf-8") == SERVICE


def test_rule_crash_with_multiline_message_is_one_line(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Exceptions from LibCST (ParserSyntaxError) carry several lines; the report stays one.
    from n1fix.rules import rule_by_name

    def crash(self, ctx):
        raise RuntimeError("boom from a test\nsecond line of the message")

    monkeypatch.setattr(rule_by_name("query-in-loop"), "check", crash)
    code = _main(monkeypatch, project, "scan", "app", "--jobs", "1")
    captured = capsys.readouterr()
    assert code == 2, captured
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("n1fix: error: ") and "boom from a test" in lines[0]


@pytest.mark.parametrize(
    "message",
    ["boom from a test", "boom from a test\nsecond line"],
    ids=["one-line", "multi-line"],
)
def test_engine_crash_is_exit_2_with_one_line(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    message: str,
) -> None:
    import n1fix.engine.runner

    def boom(*args, **kwargs):
        raise RuntimeError(message)

    monkeypatch.setattr(n1fix.engine.runner, "run", boom)
    code = _main(monkeypatch, project, "scan", "app")
    captured = capsys.readouterr()
    assert code == 2, captured
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("n1fix: internal error: RuntimeError: boom from a test")


def test_engine_crash_with_verbose_shows_traceback(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import n1fix.engine.runner

    monkeypatch.setattr(n1fix.engine.runner, "run", _boom)
    code = _main(monkeypatch, project, "scan", "app", "--verbose")
    captured = capsys.readouterr()
    assert code == 2
    assert "Traceback" in captured.err
    assert "boom from a test" in captured.err


def test_codemod_crash_costs_only_the_fix(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import n1fix.codemods.query_in_loop as codemod

    monkeypatch.setattr(codemod, "fix", _boom)
    code = _main(monkeypatch, project, "apply", "app", "--jobs", "1")
    captured = capsys.readouterr()
    assert code == 0, (
        captured
    )  # nothing could be fixed, nothing went wrong with the run
    assert (project / "app" / "service.py").read_text(encoding="utf-8") == SERVICE
    dropped = [line for line in captured.err.splitlines() if "fix dropped" in line]
    assert len(dropped) == 1 and "boom from a test" in dropped[0], captured.err


def test_cache_sees_a_module_added_to_the_project(project: Path) -> None:
    # An unchanged file whose import now finds a project module must be surveyed again.
    (project / "app" / "service.py").write_text(
        "from app.dal import projects_of\n\n\n"
        "def owners(session, users):\n"
        "    return {user.id: projects_of(session, user.id) for user in users}\n",
        encoding="utf-8",
    )
    assert n1fix("scan", "app/service.py", cwd=project).code == 0
    (project / "app" / "dal.py").write_text(
        "from sqlalchemy import select\n\nfrom app.models import Project\n\n\n"
        "def projects_of(session, user_id):\n"
        "    return session.scalars(select(Project).where(Project.user_id == user_id)).all()\n",
        encoding="utf-8",
    )
    # Only the unchanged file is named: the new module is reached through its import.
    run = n1fix("scan", "app/service.py", cwd=project)
    assert run.code == 1, run
    assert "`projects_of()` queries `Project`" in run.out
