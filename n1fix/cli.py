"""The `n1fix` command: thin; it parses flags and hands the work to the engine.

Exit codes: 0 clean (or fixes written), 1 findings (scan) or changes pending
(`apply --dry-run`), 2 usage errors, unreadable or unparsable files, fixes not written,
internal errors; 128 + the signal when interrupted (130 Ctrl-C, 143 SIGTERM). 2 wins over 1.
"""

from __future__ import annotations

import dataclasses
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from n1fix.report.wording import plural

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={
        "help_option_names": ["-h", "--help"]
    },  # inherited by every command
    help="Find database round-trip waste (N+1 queries) in Python code and rewrite it.",
)

EXIT_CLEAN, EXIT_FOUND, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


class Interrupted(Exception):
    """A command stopped by a signal has said what it left behind; exit with `code`."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _show_version(value: bool) -> None:
    if value:
        from n1fix import __version__

        print(f"n1fix {__version__}")
        raise typer.Exit(EXIT_CLEAN)


@app.callback()
def _app_options(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_show_version,
        is_eager=True,
        help="Show the version and exit.",
    ),
) -> None:
    """Find database round-trip waste (N+1 queries) in Python code and rewrite it."""


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


def _split(values: Optional[List[str]]) -> Optional[list[str]]:
    if not values:
        return None
    return [
        part.strip() for value in values for part in value.split(",") if part.strip()
    ]


PathsArg = typer.Argument(
    None,
    help="Files or directories to check (default: the current directory).",
    show_default=False,
)
SelectOpt = typer.Option(
    None, "--select", help="Only these rules (comma-separated or repeated)."
)
IgnoreOpt = typer.Option(None, "--ignore", help="Skip these rules.")
ExcludeOpt = typer.Option(
    None, "--exclude", help="Replace the default excludes with these patterns."
)
ExtendExcludeOpt = typer.Option(
    None, "--extend-exclude", help="Add these patterns to the excludes."
)
ForceExcludeOpt = typer.Option(
    False,
    "--force-exclude",
    help="Apply the excludes to files and directories named here too (for pre-commit).",
)
IncludeTestsOpt = typer.Option(
    False,
    "--include-tests",
    help="Check test code too (test_*.py, *_test.py, conftest.py, tests/ and test/ folders).",
)
JobsOpt = typer.Option(
    None, "--jobs", "-j", min=1, help="Worker processes (default: CPU count)."
)
VerboseOpt = typer.Option(
    False, "--verbose", "-v", help="Show tracebacks of internal errors."
)


@app.command()
def scan(
    paths: Optional[List[Path]] = PathsArg,
    output_format: OutputFormat = typer.Option(
        OutputFormat.text, "--format", help="Output format."
    ),
    select: Optional[List[str]] = SelectOpt,
    ignore: Optional[List[str]] = IgnoreOpt,
    exclude: Optional[List[str]] = ExcludeOpt,
    extend_exclude: Optional[List[str]] = ExtendExcludeOpt,
    force_exclude: bool = ForceExcludeOpt,
    include_tests: bool = IncludeTestsOpt,
    jobs: Optional[int] = JobsOpt,
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Ignore and do not write the results cache."
    ),
    baseline: Optional[Path] = typer.Option(
        None,
        "--baseline",
        help="Report only findings not recorded in this baseline file.",
    ),
    write_baseline: bool = typer.Option(
        False,
        "--write-baseline",
        help="Record every current finding in the --baseline file; exit 0.",
    ),
    statistics: bool = typer.Option(
        False, "--statistics", help="Show counts per rule instead of the findings."
    ),
    require_reason: bool = typer.Option(
        False,
        "--require-reason",
        help="Report suppression comments that give no reason.",
    ),
    verbose: bool = VerboseOpt,
) -> None:
    """Report round-trip waste; exit 1 when something (new) was found."""
    from n1fix.engine.runner import run
    from n1fix.report.progress import ScanProgress

    if write_baseline and baseline is None:
        raise typer.BadParameter(
            "--write-baseline needs --baseline FILE", param_hint="--write-baseline"
        )
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
        raise typer.Exit(_exit_code(result.errors, False))
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
    raise typer.Exit(_exit_code(result.errors, bool(result.findings)))


def _write_report(
    output_format: OutputFormat, result, root: Path, config, prints: dict | None = None
) -> None:
    from n1fix.report import (
        github_report,
        json_report,
        markdown_report,
        sarif_report,
        text_report,
    )

    if output_format is OutputFormat.json:
        json_report.write(result, sys.stdout)
    elif output_format is OutputFormat.sarif:
        from n1fix.engine.single_fix import single_fixes
        from n1fix.rules import select_rules

        rules = [rule.NAME for rule in select_rules(config.select, config.ignore)]
        fixes = single_fixes(result.findings, root, config, result.project)
        sarif_report.write(
            result, sys.stdout, root=root, rules=rules, fixes=fixes, prints=prints
        )
    elif output_format is OutputFormat.github:
        github_report.write(result, sys.stdout)
    elif output_format is OutputFormat.markdown:
        markdown_report.write(result, sys.stdout)
    else:
        text_report.write(result, sys.stdout, unsafe_fixes=config.unsafe_fixes)


@app.command()
def apply(
    paths: Optional[List[Path]] = PathsArg,
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Print a unified diff; write nothing (exit 1 when there are changes).",
    ),
    unsafe_fixes: bool = typer.Option(
        False, "--unsafe-fixes", help="Also apply fixes marked unsafe."
    ),
    interactive: bool = typer.Option(
        False,
        "--interactive",
        "-i",
        help="Show each change and ask whether to apply it (unsafe fixes included).",
    ),
    select: Optional[List[str]] = SelectOpt,
    ignore: Optional[List[str]] = IgnoreOpt,
    exclude: Optional[List[str]] = ExcludeOpt,
    extend_exclude: Optional[List[str]] = ExtendExcludeOpt,
    force_exclude: bool = ForceExcludeOpt,
    include_tests: bool = IncludeTestsOpt,
    jobs: Optional[int] = JobsOpt,
    follow_symlinks: bool = typer.Option(
        False,
        "--follow-symlinks",
        help="Also write files that symlinks in the project point to outside it.",
    ),
    verbose: bool = VerboseOpt,
) -> None:
    """Rewrite the code: safe fixes by default, unsafe ones with --unsafe-fixes."""
    reviewer = None
    if interactive:
        if dry_run:
            raise ValueError(
                "--interactive and --dry-run do not go together (--dry-run shows every change)"
            )
        if not sys.stdin.isatty():
            raise ValueError(
                "--interactive needs a terminal on stdin; in scripts use `n1fix apply` (safe fixes) or "
                "`n1fix apply --dry-run` (a diff)"
            )
        from n1fix.report.interactive import Reviewer
        from n1fix.report.style import color_enabled

        reviewer = Reviewer(out=sys.stdout, ask=input, color=color_enabled(sys.stdout))
        unsafe_fixes = True  # offered, labelled; nothing is applied without a yes
    from n1fix.engine.gitstate import working_tree_dirty
    from n1fix.engine.runner import run
    from n1fix.report import diff_report

    paths = _paths(paths)
    root, config = _common(
        paths,
        select,
        ignore,
        exclude,
        extend_exclude,
        unsafe_fixes,
        jobs,
        force_exclude,
        include_tests,
    )
    if not dry_run and working_tree_dirty(root):
        _stderr(
            "warning: the working tree has uncommitted changes; review n1fix's edits with `git diff`"
        )
    try:
        result = run(paths, root, config, fix=True, jobs=jobs, review=reviewer)
    except KeyboardInterrupt:
        _stderr("n1fix: interrupted before writing; no file was changed")
        raise Interrupted(EXIT_INTERRUPTED) from None
    errors = list(result.errors)
    _warn_if_no_files(result, paths)
    _warnings(result.warnings)
    if not dry_run:
        _remove_stale_temps(result.temps)
    for failure in result.failures:
        _stderr(f"warning: {failure}")
    written = result.changes
    report = None
    if dry_run:
        diff_report.write(result.changes, sys.stdout)
        if not follow_symlinks:
            from n1fix.engine.runner import display_path
            from n1fix.engine.writer import outside_root

            for change in result.changes:
                real = outside_root(change.path, root)
                if real is not None:
                    _stderr(
                        f"note: {change.display} resolves to {display_path(Path(real))}, outside the project: "
                        "apply will not write it without --follow-symlinks"
                    )
    else:
        from n1fix.engine.writer import write_changes

        report = write_changes(result.changes, root, follow_symlinks=follow_symlinks)
        written = report.written
        errors.extend(report.errors)
        for note in report.notes:
            _stderr(f"note: {note}")
    for change in result.changes:
        if (
            change.companion_for and not change.applied
        ):  # edited only for fixes elsewhere
            callers = [
                f"{path}:{line}"
                for path, line in sorted(
                    {(f.path, f.line) for f in change.companion_for}
                )
            ]
            verb = "would gain" if dry_run else "gained"
            _stderr(
                f"note: {change.display} {verb} the batch methods that the fixes at {', '.join(callers)} call"
            )
    from n1fix.report import summary

    if report is not None and report.interrupted_by:
        _interrupted_while_writing(report)
    if not dry_run:
        for line in summary.changed_lines(written):
            _stderr(line)
    if reviewer is not None:
        _stderr(reviewer.summary(len(written)))
    else:
        changed_on_disk = report.changed_on_disk if report is not None else 0
        for line in summary.apply_lines(
            result,
            written,
            dry_run=dry_run,
            unsafe_fixes=config.unsafe_fixes,
            changed_on_disk=changed_on_disk,
        ):
            _stderr(line)
    _errors(errors)
    if report is not None and report.signal_number is not None:
        raise Interrupted(128 + report.signal_number)
    if errors:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FOUND if dry_run and result.changes else EXIT_CLEAN)


@app.command()
def bot(
    paths: Optional[List[Path]] = typer.Argument(
        None,
        help="Files or directories to fix (default: the current directory).",
        show_default=False,
    ),
    repo: Optional[str] = typer.Option(
        None, "--repo", help="OWNER/NAME on GitHub (default: $GITHUB_REPOSITORY)."
    ),
    base: str = typer.Option(
        "main", "--base", help="The branch to fix and to open pull requests into."
    ),
    group: str = typer.Option(
        "rule",
        "--group",
        help="One pull request per `rule`, per `file`, or `all` in one.",
    ),
    unsafe_fixes: bool = typer.Option(
        False, "--unsafe-fixes", help="Also propose fixes marked unsafe."
    ),
    test_cmd: Optional[str] = typer.Option(
        None, "--test-cmd", help="Run this on each branch; push only if it passes."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print what would be pushed and opened; touch nothing."
    ),
    remote: str = typer.Option(
        "origin", "--remote", help="The git remote to fetch from and push to."
    ),
    api_url: Optional[str] = typer.Option(
        None,
        "--api-url",
        help="GitHub API base URL (default: $GITHUB_API_URL or api.github.com).",
    ),
    author: Optional[str] = typer.Option(
        None, "--author", help="Commit author, `Name <email>`."
    ),
    label: Optional[List[str]] = typer.Option(
        None, "--label", help="Labels for new pull requests (default: n1fix)."
    ),
    verbose: bool = VerboseOpt,
) -> None:
    """Open, and keep up to date, pull requests with the fixes (token from GITHUB_TOKEN)."""
    import os

    from n1fix.bot.grouping import GroupBy

    try:
        from n1fix.bot.orchestrate import DEFAULT_AUTHOR, BotOptions, run_bot
    except ModuleNotFoundError as error:
        raise ValueError(
            f"n1fix bot needs {error.name}: pip install 'n1fix[bot]'"
        ) from None

    repo = repo or os.environ.get("GITHUB_REPOSITORY")
    if not repo or repo.count("/") != 1:
        raise ValueError("--repo OWNER/NAME is required (or set GITHUB_REPOSITORY)")
    if group not in GroupBy.__members__:
        raise ValueError(f"--group must be rule, file or all, not {group!r}")
    options = BotOptions(
        repo=repo,
        paths=list(paths or [Path(".")]),
        base=base,
        group_by=GroupBy(group),
        unsafe_fixes=unsafe_fixes,
        test_cmd=test_cmd,
        dry_run=dry_run,
        remote=remote,
        api_url=api_url,
        author=author or DEFAULT_AUTHOR,
        labels=_split(label) or (["n1fix"] if label is None else []),
    )
    raise typer.Exit(run_bot(options))


@app.command()
def audit(
    paths: Optional[List[Path]] = PathsArg,
    output: Optional[Path] = typer.Option(
        None,
        "--output",
        "-o",
        help="Write the report here (e.g. DATABASE_PERFORMANCE_AUDIT.md) instead of stdout.",
    ),
    trace: Optional[Path] = typer.Option(
        None,
        "--trace",
        help="Quote the statements each finding sent, from a trace file written by n1fix.trace's record_round_trips.",
    ),
    select: Optional[List[str]] = SelectOpt,
    ignore: Optional[List[str]] = IgnoreOpt,
    exclude: Optional[List[str]] = ExcludeOpt,
    extend_exclude: Optional[List[str]] = ExtendExcludeOpt,
    force_exclude: bool = ForceExcludeOpt,
    include_tests: bool = IncludeTestsOpt,
    jobs: Optional[int] = JobsOpt,
    verbose: bool = VerboseOpt,
) -> None:
    """Write a Markdown database performance audit: summary, worst offenders, per-file findings with their diffs."""
    import datetime
    import io

    from n1fix.engine.runner import run
    from n1fix.engine.single_fix import single_fixes
    from n1fix.report import audit_report
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
    measured = None
    if trace is not None:
        from n1fix.trace import load_trace

        measured = audit_report.Measured(trace.name, load_trace(trace), root)
    with ScanProgress() as progress:
        result = run(
            paths, root, config, jobs=jobs, progress=progress, share_facts=True
        )
    _warn_if_no_files(result, paths)
    fixes = single_fixes(result.findings, root, config, result.project)
    text = io.StringIO()
    today = datetime.date.today().isoformat()
    audit_report.write(
        result,
        text,
        paths=[str(p) for p in paths],
        fixes=fixes,
        date=today,
        measured=measured,
    )
    if output is None:
        sys.stdout.write(text.getvalue())
    else:
        from n1fix.report.shown import SHOWN

        output.write_text(text.getvalue(), encoding="utf-8", errors=SHOWN)
        audited = plural(result.files_checked, "file")
        _stderr(
            f"Wrote {output}: {plural(len(result.findings), 'finding')} in the {audited} audited."
        )
    _warnings(result.warnings)
    _errors(result.errors)
    raise typer.Exit(EXIT_ERROR if result.errors else EXIT_CLEAN)


@app.command()
def rules(
    name: Optional[str] = typer.Argument(None, help="Show one rule's documentation."),
) -> None:
    """List every rule, or show one rule's documentation."""
    from n1fix.report import rule_docs

    if name is None:
        rule_docs.write_index(sys.stdout)
        return
    if not rule_docs.write_rule(name, sys.stdout):
        from n1fix.rules import unknown_rules

        _stderr(f"n1fix: error: {unknown_rules([name])}")
        raise typer.Exit(EXIT_ERROR)


def _paths(paths: Optional[List[Path]]) -> list[Path]:
    """The paths given, or the current directory (as ruff, black and the bot do)."""
    return list(paths) if paths else [Path(".")]


def _warn_if_no_files(result, paths: list[Path]) -> None:
    """A mistyped path in CI must not pass as "all clear" in silence (ruff warns too)."""
    if result.files_checked == 0 and not result.errors:
        from n1fix.report.summary import no_python_files

        _stderr(no_python_files(paths))


def _interrupted_while_writing(report) -> None:
    left = len(report.not_reached)
    _stderr(
        f"n1fix: interrupted by {report.interrupted_by} while writing: {plural(len(report.written), 'file')} "
        f"written, {left} left as {'they were' if left != 1 else 'it was'}"
    )
    for change in report.written:
        _stderr(f"  written: {change.display}")
    for change in report.not_reached:
        _stderr(f"  not written: {change.display}")


def _exit_code(errors: list[str], found: bool) -> int:
    if errors:
        return EXIT_ERROR
    return EXIT_FOUND if found else EXIT_CLEAN


def _remove_stale_temps(temps: list[Path]) -> None:
    """Remove the temp files an n1fix run that was killed while writing left behind."""
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


def main() -> None:
    """Console entry point: one handler turns every failure into a message and exit 2."""
    from n1fix.report.shown import show_on

    verbose = "--verbose" in sys.argv or "-v" in sys.argv
    if verbose:
        _show_notes()
    show_on(sys.stdout)
    show_on(sys.stderr)
    try:
        code = app(standalone_mode=False)
        if (
            code == EXIT_INTERRUPTED
        ):  # typer's answer to a Ctrl-C that no command handled
            _stderr("n1fix: interrupted")
    except typer.Exit as exit_:
        code = exit_.exit_code
    except Interrupted as interrupted:
        code = interrupted.code
    except typer.TyperException as error:  # usage errors: bad option, missing argument
        show = getattr(error, "show", None)
        show() if show else _stderr(f"n1fix: error: {error.format_message()}")
        code = EXIT_ERROR
    except typer.Abort:
        _stderr("n1fix: aborted")
        code = EXIT_ERROR
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
