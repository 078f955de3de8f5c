"""The console entry point: a plain `n1fix scan` answered without typer.

A pre-commit hook runs n1fix on a few files, and importing typer costs about as much as
checking them. `n1fix scan PATHS` with the common options (below), written the plain way
(`--opt VALUE` or `--opt=VALUE`, flags alone), runs the same `n1fix.cli_scan.scan` the
typer command runs, with the same values typer would have given it; anything else
(another command, `--help`, an option not listed, a value typer would reject, `--`) goes
to `n1fix.cli.main`, which says what typer says.
"""

from __future__ import annotations

import sys
from pathlib import Path

from n1fix.engine.collector import collect_rarely

# Options taking a value: the name of `cli_scan.scan`'s parameter, and whether it
# collects every occurrence (a list) or keeps the last.
VALUED = {
    "--format": ("output_format", False),
    "--select": ("select", True),
    "--ignore": ("ignore", True),
    "--exclude": ("exclude", True),
    "--extend-exclude": ("extend_exclude", True),
    "--jobs": ("jobs", False),
    "-j": ("jobs", False),
}
FLAGS = {
    "--no-cache": "no_cache",
    "--force-exclude": "force_exclude",
    "--include-tests": "include_tests",
    "--require-reason": "require_reason",
    "--verbose": None,  # read by the top-level handler, from sys.argv
    "-v": None,
}
# The report formats a plain scan writes (SARIF plans fixes: it imports the precise pass).
FORMATS = ("text", "json", "github", "markdown")


def plain_scan(argv: list[str]) -> dict | None:
    """`cli_scan.scan`'s arguments for `argv` (the words after `n1fix`), or None when
    typer should read them."""
    if not argv or argv[0] != "scan":
        return None
    options: dict = {"paths": []}
    words = iter(argv[1:])
    for word in words:
        if not word:
            return None
        if not word.startswith("-"):
            options["paths"].append(Path(word))
            continue
        name, equals, value = word.partition("=")
        if name in FLAGS and not equals:
            if FLAGS[name] is not None:
                options[FLAGS[name]] = True
            continue
        if name not in VALUED or (equals and not name.startswith("--")):
            return None
        if not equals:
            value = next(words, None)
            if value is None or value.startswith("-"):
                return None
        parameter, repeated = VALUED[name]
        if repeated:
            options.setdefault(parameter, []).append(value)
        else:
            options[parameter] = value
    return _typed(options)


def _typed(options: dict) -> dict | None:
    """The values typer would convert them to; None for one it would reject."""
    from n1fix.cli_scan import OutputFormat

    if "output_format" in options:
        if options["output_format"] not in FORMATS:
            return None
        options["output_format"] = OutputFormat(options["output_format"])
    if "jobs" in options:
        try:
            options["jobs"] = int(options["jobs"])
        except ValueError:
            return None
        if options["jobs"] < 1:
            return None
    options["paths"] = options["paths"] or None
    return options


def main() -> None:
    """`n1fix`: a plain scan here, everything else through typer (`n1fix.cli`)."""
    collect_rarely()
    options = plain_scan(sys.argv[1:])
    if options is None:
        from n1fix.cli import main as full

        full()
        return
    from n1fix.cli_scan import guarded, scan

    guarded(lambda: scan(**options))


def console_script() -> None:
    """The `n1fix` command and `python -m n1fix`: `main`, then the process ends at once
    (`n1fix.process_exit`), with the exit code `main` gave. Tests run `main`, which
    leaves their process as it was."""
    try:
        main()
    except SystemExit as exit_:
        from n1fix.process_exit import exit_at_once

        exit_at_once(exit_.code)
