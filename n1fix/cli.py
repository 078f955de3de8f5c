"""The `n1fix` command: thin; it parses flags and hands the work to the engine.

The commands and their options are declared here, with typer; what `scan` does, the
helpers every command shares and the exit codes are in `n1fix.cli_scan`, which a plain
`n1fix scan` reaches without typer (`n1fix.cli_plain`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from n1fix import cli_scan
from n1fix.cli_scan import (
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_FOUND,
    EXIT_INTERRUPTED,
    Interrupted,
    OutputFormat,
    _common,
    _errors,
    _paths,
    _remove_stale_temps,
    _split,
    _stderr,
    _warn_if_no_files,
    _warnings,
    guarded,
)
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
    if write_baseline and baseline is None:
        raise typer.BadParameter(
            "--write-baseline needs --baseline FILE", param_hint="--write-baseline"
        )
    raise typer.Exit(
        cli_scan.scan(
            paths,
            output_format,
            select,
            ignore,
            exclude,
            extend_exclude,
            force_exclude=force_exclude,
            include_tests=include_tests,
            jobs=jobs,
            no_cache=no_cache,
            baseline=baseline,
            write_baseline=write_baseline,
            statistics=statistics,
            require_reason=require_reason,
        )
    )


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
            if not change.source.exists:
                if not dry_run and change not in written:
                    continue
                verb = "would be created" if dry_run else "created"
                _stderr(
                    f"note: {change.display} {verb} for the fixes at {', '.join(callers)}"
                )
                continue
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


def main() -> None:
    """Every command, through typer (`n1fix.cli_plain.main`, the console entry point,
    comes here for anything but a plain `scan`)."""
    guarded(_run_app)


def _run_app() -> int | None:
    try:
        code = app(standalone_mode=False)
        if (
            code == EXIT_INTERRUPTED
        ):  # typer's answer to a Ctrl-C that no command handled
            _stderr("n1fix: interrupted")
    except typer.Exit as exit_:
        code = exit_.exit_code
    except typer.TyperException as error:  # usage errors: bad option, missing argument
        show = getattr(error, "show", None)
        show() if show else _stderr(f"n1fix: error: {error.format_message()}")
        code = EXIT_ERROR
    except typer.Abort:
        _stderr("n1fix: aborted")
        code = EXIT_ERROR
    return code
