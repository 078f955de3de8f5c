"""What the `n1fix` command says, through the installed console script: the summary lines
(worded as ruff's, each count right for 0, 1 and many), what `apply` changed and left,
`--version` and `-h`, the default path, no Python files, files that could not be checked,
unknown rules, `--statistics` with nothing to count, and colour on a terminal only.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
from pathlib import Path

import pytest
from n1fix_project import (
    CLEAN,
    N1FIX,
    PYPROJECT,
    SERVICE,
    TWO_LOOPS,
    UNSAFE_FIRST,
    make_project,
    n1fix,
)

from n1fix import __version__
from n1fix.report.wording import joined, plural

# The loop commits: reported, with no fix.
COMMITS = """\
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Project, User


def touch(session: Session, users: list[User]) -> None:
    for user in users:
        projects = session.scalars(select(Project).where(Project.user_id == user.id)).all()
        session.commit()
"""

COUNTED = re.compile(
    r"\b(\d+) (?:(?:safe|unsafe) )?(finding|file|path|fix|statement)(e?s)?\b"
)


def assert_counts_agree(text: str) -> None:
    """`1 finding`, `2 findings`, `0 files`: never `1 files` or `4 safe fix`."""
    for match in COUNTED.finditer(text):
        count, suffix = int(match[1]), match[3]
        assert (count == 1) == (suffix is None), f"{match[0]!r} in:\n{text}"


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def summary(out: str) -> list[str]:
    """The lines after the findings (a finding line starts with `path:line:col:`)."""
    return [line for line in lines(out) if not re.match(r"^\S+:\d+:\d+: ", line)]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj")


def mixed(tmp_path: Path) -> Path:
    """One finding with a safe fix, one with an unsafe fix, one with none (3 files of 5)."""
    root = make_project(tmp_path / "mixed")
    (root / "app" / "unsafe.py").write_text(UNSAFE_FIRST, encoding="utf-8")
    (root / "app" / "commits.py").write_text(COMMITS, encoding="utf-8")
    return root


# --- the helper -----------------------------------------------------------------------


def test_plural_is_right_for_0_1_and_many() -> None:
    assert [plural(n, "finding") for n in (0, 1, 2)] == [
        "0 findings",
        "1 finding",
        "2 findings",
    ]
    assert [plural(n, "fix", "fixes") for n in (0, 1, 4)] == [
        "0 fixes",
        "1 fix",
        "4 fixes",
    ]
    assert [joined(p) for p in ([], ["a"], ["a", "b"], ["a", "b", "c"])] == [
        "",
        "a",
        "a and b",
        "a, b and c",
    ]


# --- scan's summary -------------------------------------------------------------------


def test_scan_summary_one_finding(project: Path) -> None:
    run = n1fix("scan", "app", cwd=project)
    assert run.code == 1, run
    assert summary(run.out) == [
        "Found 1 finding in 1 file (3 files checked).",
        "[*] 1 fixable with `n1fix apply`.",
    ]


def test_scan_summary_says_files_checked_and_files_with_findings_apart(
    tmp_path: Path,
) -> None:
    root = make_project(tmp_path / "proj", TWO_LOOPS)
    (root / "app" / "unsafe.py").write_text(UNSAFE_FIRST, encoding="utf-8")
    run = n1fix("scan", "app", cwd=root)
    assert run.code == 1, run
    assert summary(run.out) == [
        "Found 3 findings in 2 files (4 files checked).",
        "[*] 2 fixable with `n1fix apply` (1 unsafe fix available with `n1fix apply --unsafe-fixes`).",
    ]


def test_scan_marks_the_findings_apply_fixes(tmp_path: Path) -> None:
    run = n1fix("scan", "app", cwd=mixed(tmp_path))
    marked = {
        line.split(":")[0]: "[*]" in line
        for line in lines(run.out)
        if line.startswith("app/")
    }
    assert marked == {
        "app/service.py": True,
        "app/unsafe.py": False,
        "app/commits.py": False,
    }, run.out
    assert "app/service.py:11:20: query-in-loop [*] `Project`" in run.out


def test_scan_summary_only_unsafe_fixes(tmp_path: Path) -> None:
    run = n1fix("scan", "app", cwd=make_project(tmp_path / "proj", UNSAFE_FIRST))
    assert run.code == 1, run
    assert summary(run.out) == [
        "Found 1 finding in 1 file (3 files checked).",
        "1 unsafe fix available with `n1fix apply --unsafe-fixes`.",
    ]


def test_scan_summary_with_unsafe_fixes_on_in_the_configuration(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "proj",
        UNSAFE_FIRST,
        pyproject=PYPROJECT + "\n[tool.n1fix]\nunsafe-fixes = true\n",
    )
    run = n1fix("scan", "app", cwd=root)
    assert "query-in-loop [*] " in run.out  # `n1fix apply` applies it
    assert (
        summary(run.out)[1]
        == "[*] 1 fixable with `n1fix apply` (1 of them unsafe, applied as `unsafe-fixes` is on)."
    )


def test_scan_summary_no_fix_at_all(tmp_path: Path) -> None:
    run = n1fix("scan", "app", cwd=make_project(tmp_path / "proj", COMMITS))
    assert summary(run.out) == ["Found 1 finding in 1 file (3 files checked)."]


@pytest.mark.parametrize(
    ("target", "files"), [("app/service.py", "1 file"), ("app", "3 files")]
)
def test_scan_summary_when_clean(project: Path, target: str, files: str) -> None:
    (project / "app" / "service.py").write_text(CLEAN, encoding="utf-8")
    run = n1fix("scan", target, cwd=project)
    assert run.code == 0, run
    assert lines(run.out) == [f"All clear: {files} checked, no findings."]


@pytest.mark.parametrize("case", ["clean", "one", "many"])
def test_every_count_agrees_with_its_noun(tmp_path: Path, case: str) -> None:
    root = {
        "clean": lambda: make_project(tmp_path / "p", CLEAN),
        "one": lambda: make_project(tmp_path / "p"),
        "many": lambda: mixed(tmp_path),
    }[case]()
    if case == "many":
        (root / "app" / "two.py").write_text(TWO_LOOPS, encoding="utf-8")
    for args in (["--format", "text"], ["--statistics"], ["--format", "markdown"]):
        scan = n1fix("scan", "app", *args, cwd=root)
        assert scan.code == (0 if case == "clean" else 1), scan
        assert_counts_agree(scan.out + scan.err)
    dry = n1fix("apply", "--dry-run", "app", cwd=root)
    assert_counts_agree(dry.err)
    applied = n1fix("apply", "app", cwd=root)
    assert applied.code == 0, applied
    assert_counts_agree(applied.err)
    audit = n1fix("audit", "app", "-o", "audit.md", cwd=root)
    assert_counts_agree(audit.err)


def test_markdown_counts_fixes_in_words(tmp_path: Path) -> None:
    root = mixed(tmp_path)
    (root / "app" / "two.py").write_text(TWO_LOOPS, encoding="utf-8")
    run = n1fix("scan", "app", "--format", "markdown", cwd=root)
    assert (
        "5 findings in 4 files (6 checked): 3 safe fixes, 1 unsafe fix, 1 with no fix."
        in run.out
    )


# --- apply: what changed, what is left and why -----------------------------------------


def test_apply_lists_what_it_changed(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj", TWO_LOOPS)
    (root / "app" / "one.py").write_text(SERVICE, encoding="utf-8")
    run = n1fix("apply", "app", cwd=root)
    assert run.code == 0, run
    assert run.err_lines == [
        "app/one.py: 1 fix",
        "app/service.py: 2 fixes",
        "Fixed 3 findings in 2 files.",
    ]


def test_apply_says_what_is_left_and_why(tmp_path: Path) -> None:
    root = mixed(tmp_path)
    run = n1fix("apply", "app", cwd=root)
    assert run.code == 0, run
    assert run.err_lines == [
        "app/service.py: 1 fix",
        "Fixed 1 finding in 1 file.",
        "2 findings left: 1 with no fix (`n1fix scan` says why), "
        "1 with an unsafe fix (`n1fix apply --unsafe-fixes` applies it).",
    ]
    again = n1fix("apply", "app", cwd=root)
    assert again.err_lines[0] == "No fixes applied.", again.err


def test_apply_dry_run_summary(tmp_path: Path) -> None:
    run = n1fix("apply", "--dry-run", "app", cwd=mixed(tmp_path))
    assert run.code == 1, run
    assert run.err_lines == [
        "Would fix 1 finding in 1 file.",
        "2 findings left: 1 with no fix (`n1fix scan` says why), "
        "1 with an unsafe fix (`n1fix apply --unsafe-fixes` applies it).",
    ]


def test_apply_left_with_one_reason(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj", COMMITS)
    run = n1fix("apply", "app", cwd=root)
    assert run.code == 0, run
    assert run.err_lines == [
        "No fixes applied.",
        "1 finding left with no fix (`n1fix scan` says why).",
    ]


def test_apply_with_nothing_to_fix(tmp_path: Path) -> None:
    run = n1fix("apply", "app", cwd=make_project(tmp_path / "proj", CLEAN))
    assert run.code == 0, run
    assert run.err_lines == ["Nothing to fix: no findings in the 3 files checked."]


# --- --version, -h, the default path ---------------------------------------------------


def test_version(tmp_path: Path) -> None:
    run = n1fix("--version", cwd=tmp_path)
    assert (run.code, run.out, run.err) == (0, f"n1fix {__version__}\n", "")


@pytest.mark.parametrize(
    "command",
    [[], ["scan"], ["apply"], ["audit"], ["rules"], ["bot"]],
    ids=lambda c: c[0] if c else "app",
)
def test_short_help_on_every_command(tmp_path: Path, command: list[str]) -> None:
    short = n1fix(*command, "-h", cwd=tmp_path)
    long = n1fix(*command, "--help", cwd=tmp_path)
    assert short.code == 0, short
    assert short.out == long.out and "Usage: n1fix" in short.out
    assert "-h" in short.out


NARROW = {"COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}


@pytest.mark.parametrize(
    "command",
    [[], ["scan"], ["apply"], ["audit"], ["rules"], ["bot"]],
    ids=lambda c: c[0] if c else "app",
)
def test_help_is_not_cut_at_80_columns(tmp_path: Path, command: list[str]) -> None:
    run = n1fix(*command, "--help", cwd=tmp_path, env=NARROW)
    assert run.code == 0, run.err
    assert "…" not in run.out, run.out
    assert max(len(line) for line in run.out.splitlines()) <= 80


def test_audit_trace_help_is_whole(tmp_path: Path) -> None:
    out = n1fix("audit", "-h", cwd=tmp_path, env=NARROW).out
    words = " ".join(
        line.strip("│ ").split("  ")[-1].strip()
        for line in out.splitlines()
        if "│" in line
    )
    assert "record_round_trips." in words, out


def test_scan_apply_and_audit_default_to_the_current_directory(project: Path) -> None:
    scan = n1fix("scan", cwd=project)
    assert scan.code == 1, scan
    assert "app/service.py:11:20: query-in-loop" in scan.out
    dry = n1fix("apply", "--dry-run", cwd=project)
    assert dry.code == 1 and "+++ b/app/service.py" in dry.out, dry
    audit = n1fix("audit", cwd=project)
    assert audit.code == 0 and "app/service.py" in audit.out, audit
    applied = n1fix("apply", cwd=project)
    assert applied.code == 0 and "app/service.py: 1 fix" in applied.err_lines, applied


# --- no Python files, paths that do not exist, files that could not be checked ---------------


@pytest.mark.parametrize(
    "command", [["scan"], ["apply"], ["apply", "--dry-run"], ["audit"]]
)
def test_no_python_files_is_a_warning(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not python\n", encoding="utf-8")
    run = n1fix(*command, "empty", cwd=tmp_path)
    assert run.code == 0, run
    assert run.err_lines == ["warning: no Python files found under empty"]
    assert "All clear" not in run.out


def test_statistics_with_no_python_files_is_the_warning_alone(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    run = n1fix("scan", "empty", "--statistics", cwd=tmp_path)
    assert (run.code, run.out, run.err_lines) == (
        0,
        "",
        ["warning: no Python files found under empty"],
    )


def test_a_path_that_does_not_exist_is_an_error_naming_it(project: Path) -> None:
    run = n1fix("scan", "app/servce.py", cwd=project)
    assert run.code == 2, run
    assert run.err_lines == ["n1fix: error: app/servce.py: no such file or directory"]
    assert lines(run.out) == ["1 path could not be checked."]
    applied = n1fix("apply", "app/servce.py", cwd=project)
    assert (
        applied.code == 2
        and "n1fix: error: app/servce.py: no such file or directory"
        in applied.err_lines
    )


def test_scan_summary_counts_the_files_that_could_not_be_checked(project: Path) -> None:
    (project / "app" / "broken.py").write_text("def f(:\n", encoding="utf-8")
    (project / "app" / "bad.py").write_bytes(b"x = '\xff'\n")
    run = n1fix("scan", "app", "missing", cwd=project)
    assert run.code == 2, run
    assert summary(run.out) == [
        "Found 1 finding in 1 file (3 files checked).",
        "[*] 1 fixable with `n1fix apply`.",
        "2 files and 1 path could not be checked.",
    ]
    assert len(run.err_lines) == 3 and all(
        line.startswith("n1fix: error: ") for line in run.err_lines
    ), run.err


def test_scan_summary_when_the_only_problem_is_a_broken_file(project: Path) -> None:
    (project / "app" / "service.py").write_text(CLEAN, encoding="utf-8")
    (project / "app" / "broken.py").write_text("def f(:\n", encoding="utf-8")
    run = n1fix("scan", "app", cwd=project)
    assert run.code == 2, run
    assert lines(run.out) == [
        "No findings in the 3 files checked.",
        "1 file could not be checked.",
    ]
    applied = n1fix("apply", "app", cwd=project)
    assert applied.code == 2, applied
    assert "1 file could not be checked." in applied.err_lines


# --- unknown rules ---------------------------------------------------------------------

DID_YOU_MEAN = "unknown rule `query-in-lop` (did you mean `query-in-loop`?); `n1fix rules` lists the rules"


@pytest.mark.parametrize(
    ("args", "table", "where"),
    [
        (["--select", "query-in-lop"], "", "--select: "),
        (["--ignore", "lazy-load-in-loop,query-in-lop"], "", "--ignore: "),
        ([], 'select = ["query-in-lop"]\n', "{pyproject}: [tool.n1fix] select: "),
        ([], 'ignore = ["query-in-lop"]\n', "{pyproject}: [tool.n1fix] ignore: "),
    ],
    ids=["select", "ignore", "config-select", "config-ignore"],
)
def test_unknown_rule_offers_the_closest_name(
    tmp_path: Path, args: list[str], table: str, where: str
) -> None:
    root = make_project(
        tmp_path / "proj", pyproject=PYPROJECT + "\n[tool.n1fix]\n" + table
    )
    run = n1fix("scan", "app", *args, cwd=root)
    assert run.code == 2, run
    expected = where.format(pyproject=root.resolve() / "pyproject.toml")
    assert run.err_lines == [f"n1fix: error: {expected}{DID_YOU_MEAN}"]


def test_rules_with_an_unknown_name_words_it_the_same(tmp_path: Path) -> None:
    run = n1fix("rules", "query-in-lop", cwd=tmp_path)
    assert run.code == 2, run
    assert run.err_lines == [f"n1fix: error: {DID_YOU_MEAN}"]


def test_unknown_rule_with_nothing_close(tmp_path: Path) -> None:
    run = n1fix("rules", "xyzzy", cwd=tmp_path)
    assert run.err_lines == [
        "n1fix: error: unknown rule `xyzzy`; `n1fix rules` lists the rules"
    ]


def test_unknown_rule_part_of_a_name(tmp_path: Path) -> None:
    run = n1fix("rules", "lazy", cwd=tmp_path)
    assert "(did you mean `lazy-load-in-loop`?)" in run.err


# --- --statistics ----------------------------------------------------------------------


def test_statistics_says_when_there_is_nothing_to_count(project: Path) -> None:
    (project / "app" / "service.py").write_text(CLEAN, encoding="utf-8")
    run = n1fix("scan", "app", "--statistics", cwd=project)
    assert run.code == 0, run
    assert lines(run.out) == ["No findings to count in the 3 files checked."]


def test_statistics_ends_with_the_summary(tmp_path: Path) -> None:
    run = n1fix("scan", "app", "--statistics", cwd=mixed(tmp_path))
    assert run.code == 1, run
    table, *rest = lines(run.out)
    assert re.match(r"^\s+3  query-in-loop \[\*\] \S", table), table
    assert rest == [
        "Found 3 findings in 3 files (5 files checked).",
        "[*] 1 fixable with `n1fix apply` (1 unsafe fix available with `n1fix apply --unsafe-fixes`).",
    ]


# --- colour ----------------------------------------------------------------------------

BOLD, CYAN, RED, RESET = "\x1b[1m", "\x1b[36m", "\x1b[31m", "\x1b[0m"
COLOURED = (
    f"{BOLD}app/service.py{RESET}{CYAN}:{RESET}11{CYAN}:{RESET}20{CYAN}:{RESET} "
    f"{BOLD}{RED}query-in-loop{RESET} [{CYAN}*{RESET}] `Project`"
)


def scan_with(env_changes: dict[str, str | None], cwd: Path) -> str:
    env = {"TERM": "xterm-256color", "NO_COLOR": None, "FORCE_COLOR": None}
    return n1fix("scan", "app", cwd=cwd, env={**env, **env_changes}).out


def test_colour_on_a_terminal_as_ruff_colours(project: Path) -> None:
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["TERM"] = "xterm-256color"
    with os.fdopen(leader, "rb", buffering=0) as terminal:
        proc = subprocess.Popen(
            [str(N1FIX), "scan", "app"],
            cwd=project,
            env=env,
            stdout=follower,
            stderr=subprocess.DEVNULL,
        )
        os.close(follower)
        output = b""
        while True:
            try:
                chunk = terminal.read(4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        assert proc.wait(timeout=120) == 1
    text = output.decode().replace("\r\n", "\n")
    assert COLOURED in text, repr(text)
    assert f"[{CYAN}*{RESET}] 1 fixable with `n1fix apply`." in text


def test_no_colour_when_piped(project: Path) -> None:
    out = scan_with({}, project)
    assert (
        "\x1b[" not in out
        and "app/service.py:11:20: query-in-loop [*] `Project`" in out
    )


def test_force_color_colours_piped_output(project: Path) -> None:
    assert COLOURED in scan_with({"FORCE_COLOR": "1"}, project)


def test_no_color_wins(project: Path) -> None:
    assert "\x1b[" not in scan_with({"FORCE_COLOR": "1", "NO_COLOR": "1"}, project)


def dry_run_with(env_changes: dict[str, str], cwd: Path) -> str:
    env = {"NO_COLOR": None, "FORCE_COLOR": None, **env_changes, "COLUMNS": "40"}
    return n1fix("apply", "--dry-run", "app", cwd=cwd, env=env).out


def test_coloured_diff_keeps_every_character(project: Path) -> None:
    # Lines longer than the terminal are not cropped: the diff is the plain one, painted.
    plain = dry_run_with({"NO_COLOR": "1"}, project)
    painted = dry_run_with({"FORCE_COLOR": "1"}, project)
    assert "\x1b[" not in plain and "\x1b[" in painted
    assert re.sub(r"\x1b\[[0-9;]*m", "", painted) == plain
    assert f"{BOLD}+++ b/app/service.py{RESET}" in painted
    assert any(
        line.startswith("\x1b[31m-") and "Project.user_id == user.id" in line
        for line in painted.splitlines()
    )


def test_diff_colours_a_removed_line_that_starts_with_dashes() -> None:
    from n1fix.report.diff_report import coloured
    from n1fix.report.style import Style

    text = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n--- x\n+++ y\n"
    assert coloured(text, Style(True)).splitlines()[3:] == [
        "\x1b[31m--- x\x1b[0m",
        "\x1b[32m+++ y\x1b[0m",
    ]
