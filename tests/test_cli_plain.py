"""A plain `n1fix scan` is answered without typer, exactly as typer's command answers it:
the same output and exit code; anything else goes to typer."""

from __future__ import annotations

from pathlib import Path

import pytest
from n1fix_project import MODELS, PLAIN, PYPROJECT, SERVICE, Run, in_process

from n1fix.cli_plain import plain_scan
from n1fix.cli_scan import OutputFormat


def _run(entry: str, args: tuple, cwd: Path) -> Run:
    with in_process(args, cwd, PLAIN, 120) as streams:
        if entry == "plain":
            from n1fix.cli_plain import main
        else:
            from n1fix.cli import main
        try:
            main()
            code = 0
        except SystemExit as exit_:
            code = 0 if exit_.code is None else exit_.code
    out, err = streams
    return Run(code, out.text(), err.text())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(MODELS)
    (tmp_path / "app" / "service.py").write_text(SERVICE)
    (tmp_path / "app" / "clean.py").write_text("def f(x):\n    return x + 1\n")
    (tmp_path / "app" / "broken.py").write_text("def f(:\n")
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ("scan",),
        ("scan", "app"),
        ("scan", "app/clean.py"),
        ("scan", "--format", "json", "app"),
        ("scan", "--format=github", "app", "--no-cache"),
        ("scan", "app", "--format", "markdown", "-j", "1"),
        ("scan", "--select", "query-in-loop", "app"),
        ("scan", "--ignore", "query-in-loop,write-in-loop", "app"),
        ("scan", "--select", "no-such-rule", "app"),
        ("scan", "--extend-exclude", "service.py", "app"),
        ("scan", "--exclude", "broken.py", "app"),
        ("scan", "--force-exclude", "--extend-exclude", "clean.py", "app/clean.py"),
        ("scan", "--include-tests", "--require-reason", "app"),
        ("scan", "missing.py"),
        ("scan", "app", "--verbose"),
    ],
)
def test_a_plain_scan_answers_as_typer_does(project: Path, args: tuple) -> None:
    assert plain_scan(list(args)) is not None
    typer_run = _run("typer", args, project)
    plain_run = _run("plain", args, project)
    assert plain_run == typer_run


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["apply", "app"],
        ["scan", "--help"],
        ["scan", "-h"],
        ["scan", "--format", "sarif"],
        ["scan", "--format", "xml"],
        ["scan", "--format"],
        ["scan", "--jobs", "0"],
        ["scan", "--jobs", "two"],
        ["scan", "-j2"],
        ["scan", "--no-cache=1"],
        ["scan", "--statistics"],
        ["scan", "--baseline", "b.json"],
        ["scan", "--select", "-x"],
        ["scan", "--", "app"],
        ["scan", "-"],
        ["scan", ""],
        ["--version"],
    ],
)
def test_anything_else_goes_to_typer(args: list[str]) -> None:
    assert plain_scan(args) is None


def test_the_values_are_typers() -> None:
    assert plain_scan(
        [
            "scan",
            "a",
            "--format=json",
            "-j",
            "2",
            "--select",
            "x",
            "--select",
            "y,z",
            "b",
        ]
    ) == {
        "paths": [Path("a"), Path("b")],
        "output_format": OutputFormat.json,
        "jobs": 2,
        "select": ["x", "y,z"],
    }
    assert plain_scan(["scan"]) == {"paths": None}


@pytest.mark.parametrize("args", [("scan", "--bogus"), ("scan", "--jobs", "0")])
def test_what_typer_rejects_it_still_rejects(project: Path, args: tuple) -> None:
    run = _run("plain", args, project)
    assert run.code == 2 and "Usage: " in run.err
