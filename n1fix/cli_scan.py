"""The `scan` command's work, and what every command of the CLI shares, without typer.

`n1fix.cli` declares the commands and their options with typer; `n1fix.cli_plain`
answers a plain `n1fix scan` without importing it (a pre-commit hook pays for every
import). Both end here, so that they print the same and exit with the same code.

Exit codes: 0 clean (or fixes written), 1 findings (scan) or changes pending
(`apply --dry-run`), 2 usage errors, unreadable or unparsable files, fixes not written,
internal errors; 128 + the signal when interrupted (130 Ctrl-C, 143 SIGTERM). 2 wins over 1.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from n1fix.report.wording import plural

EXIT_CLEAN, EXIT_FOUND, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


class Interrupted(Exception):
    """A command stopped by a signal has said what it left behind; exit with `code`."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    markdown = "markdown"


def _common(
    paths,
    select,
    ignore,
    exclude,
    extend_exclude,
    unsafe_fixes=None,
    jobs=None,
    force_exclude=False,
    include_tests=False,
):
    from n1fix.config import load_config
    from n1fix.engine.discovery import find_project_root

    root = find_project_root(paths)
    file_config = load_config(root)
    cli_select = _split(select)
    _check_rule_names(root, file_config, cli_select, _split(ignore))
    # As in ruff: a rule selected on the command line is on, even if the file ignores it.
    file_ignore = [
        name for name in file_config.ignore if name not in (cli_select or [])
    ]
    config = dataclasses.replace(file_config, ignore=file_ignore).merged(
        select=cli_select,
        ignore=_split(ignore),
        exclude=_split(exclude),
        extend_exclude=_split(extend_exclude),
        force_exclude=force_exclude or None,
        include_tests=include_tests or None,
        unsafe_fixes=unsafe_fixes or None,
        jobs=jobs,
    )
    return root, config


def _check_rule_names(root: Path, file_config, cli_select, cli_ignore) -> None:
    """Every rule name is checked where it was written, so the error says where."""
    from n1fix.rules import unknown_rules

    where_file = f"{root / 'pyproject.toml'}: [tool.n1fix]"
    for names, where in (
        (cli_select, "--select"),
        (cli_ignore, "--ignore"),
        (file_config.select, f"{where_file} select"),
        (file_config.ignore, f"{where_file} ignore"),
    ):
        error = unknown_rules(names or [], where)
        if error:
            raise ValueError(error)


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [
        part.strip() for value in values for part in value.split(",") if part.strip()
    ]


def scan(
    paths: list[Path] | None = None,
    output_format: OutputFormat = OutputFormat.text,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    exclude: list[str] | None = None,
    extend_exclude: list[str] | None = None,
    force_exclude: bool = False,
    include_tests: bool = False,
    jobs: int | None = None,
    no_cache: bool = False,
    baseline: Path | None = None,
    write_baseline: bool = False,
    statistics: bool = False,
    require_reason: bool = False,
) -> int:
    """`n1fix scan`: report round-trip waste; the exit code (1 when something (new) was
    found)."""
    from n1fix.engine.runner import run
    from n1fix.report.progress import ScanProgress

    paths = _paths(paths)
    root, config = _common(
        paths,
        select,
        ignore,
        exclude,
        extend_exclude,
        jobs=jobs,
        force_exclude=force_exclude,
        include_tests=include_tests,
    )
    if no_cache:
        config = config.merged(cache=False)
    if require_reason:
        config = config.merged(require_reason=True)
    known = None
    if baseline is not None and not write_baseline:
        from n1fix.report.baseline import load_baseline

        known = load_baseline(baseline)
    with ScanProgress() as progress:
        # SARIF plans each fix again with the project index: the run memo has none.
        result = run(
            paths,
            root,
            config,
            jobs=jobs,
            progress=progress,
            memo=output_format is not OutputFormat.sarif,
        )
    _remove_stale_temps(result.temps)
    if write_baseline:
        from n1fix.report.baseline import write_baseline as write_file

        write_file(baseline, result.findings, root)
        _stderr(
            f"Wrote {plural(len(result.findings), 'finding')} to the baseline {baseline}."
        )
        _warnings(result.warnings)
        _errors(result.errors)
        return _exit_code(result.errors, False)
    prints = None
    if known is not None:
        from n1fix.report.baseline import new_findings
        from n1fix.report.fingerprints import fingerprint_map

        total = len(result.findings)
        prints = fingerprint_map(result.findings, root)
        result.findings = new_findings(result.findings, known, prints)
        hidden = total - len(result.findings)
        if hidden:
            _stderr(
                f"{plural(hidden, 'finding')} recorded in the baseline {baseline} not shown."
            )
    _warn_if_no_files(result, paths)
    if statistics:
        from n1fix.report import statistics as statistics_report

        statistics_report.write(result, sys.stdout, unsafe_fixes=config.unsafe_fixes)
    else:
        _write_report(output_format, result, root, config, prints)
    _warnings(result.warnings)
    _errors(result.errors)
    return _exit_code(result.errors, bool(result.findings))


def _write_report(
    output_format: OutputFormat, result, root: Path, config, prints: dict | None = None
) -> None:
    # Each report imported only when it is the one asked for.
    if output_format is OutputFormat.json:
        from n1fix.report import json_report

        json_report.write(result, sys.stdout)
    elif output_format is OutputFormat.sarif:
        from n1fix.engine.single_fix import single_fixes
        from n1fix.report import sarif_report
        from n1fix.rules import select_rules

        rules = [rule.NAME for rule in select_rules(config.select, config.ignore)]
        fixes = single_fixes(result.findings, root, config, result.project)
        sarif_report.write(
            result, sys.stdout, root=root, rules=rules, fixes=fixes, prints=prints
        )
    elif output_format is OutputFormat.github:
        from n1fix.report import github_report

        github_report.write(result, sys.stdout)
    elif output_format is OutputFormat.markdown:
        from n1fix.report import markdown_report

        markdown_report.write(result, sys.stdout)
    else:
        from n1fix.report import text_report

        text_report.write(result, sys.stdout, unsafe_fixes=config.unsafe_fixes)


def _paths(paths: list[Path] | None) -> list[Path]:
    """The paths given, or the current directory (as ruff, black and the bot do)."""
    return list(paths) if paths else [Path(".")]


def _warn_if_no_files(result, paths: list[Path]) -> None:
    """A mistyped path in CI must not pass as "all clear" in silence (ruff warns too)."""
    if result.files_checked == 0 and not result.errors:
        from n1fix.report.summary import no_python_files

        _stderr(no_python_files(paths))


def _exit_code(errors: list[str], found: bool) -> int:
    if errors:
        return EXIT_ERROR
    return EXIT_FOUND if found else EXIT_CLEAN


def _remove_stale_temps(temps: list[Path]) -> None:
    """Remove the temp files an n1fix run that was killed while writing left behind."""
    if not temps:
        return
    from n1fix.engine.fileio import remove_stale_temp
    from n1fix.engine.runner import display_path

    for path in temps:
        if remove_stale_temp(path):
            _stderr(
                f"note: removed {display_path(path)}, a temp file left by an interrupted n1fix run"
            )


def _warnings(warnings: list[str]) -> None:
    for warning in warnings:
        _stderr(f"n1fix: warning: {warning}")


def _errors(errors: list[str]) -> None:
    for error in errors:
        _stderr(f"n1fix: error: {error}")


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


def _show_notes() -> None:
    """`--verbose` also prints the notes rules log about what they left alone (a SQL
    string n1fix cannot read), one line each on stderr."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("n1fix: note: %(message)s"))
    notes = logging.getLogger("n1fix")
    notes.addHandler(handler)
    notes.setLevel(logging.INFO)


def guarded(command: Callable[[], int | None]) -> None:
    """Run a command as the console entry point does: one handler turns every failure
    into a message and exit 2; then exit with the command's code."""
    from n1fix.report.shown import show_on

    verbose = "--verbose" in sys.argv or "-v" in sys.argv
    if verbose:
        _show_notes()
    show_on(sys.stdout)
    show_on(sys.stderr)
    try:
        code = command()
    except Interrupted as interrupted:
        code = interrupted.code
    except KeyboardInterrupt:
        _stderr("n1fix: interrupted")
        code = EXIT_INTERRUPTED
    except Exception as error:  # noqa: BLE001 - the one top-level handler
        from n1fix.config import ConfigError

        if isinstance(error, (ConfigError, ValueError)) and not verbose:
            _stderr("n1fix: error: " + " ".join(str(error).split()))
        else:
            if verbose:
                import traceback

                traceback.print_exc()
            message = " ".join(f"{type(error).__name__}: {error}".split())
            _stderr(
                f"n1fix: internal error: {message} (run with --verbose for the traceback)"
            )
        code = EXIT_ERROR
    sys.exit(code if isinstance(code, int) else EXIT_CLEAN)
