"""Unified diffs of pending changes, coloured on a terminal as git colours them (file
headers bold, hunk headers cyan, removed lines red, added lines green).

Plain escapes rather than rich's Syntax: rich crops lines at the console's width, and a
diff must show every character of the lines it changes.
"""

from __future__ import annotations

import difflib
from typing import TextIO


def unified(change) -> str:
    old = change.source.text.splitlines(keepends=True)
    new = change.new_text.splitlines(keepends=True)
    # a file the change creates is shown as git shows one: from /dev/null
    before = f"a/{change.display}" if change.source.exists else "/dev/null"
    return "".join(
        difflib.unified_diff(old, new, fromfile=before, tofile=f"b/{change.display}")
    )


def coloured(text: str, style) -> str:
    """One file's diff, painted; the `---`/`+++` headers are the lines before its first hunk
    (a removed line may itself start with `--`)."""
    lines = []
    in_hunks = False
    for line in text.splitlines(keepends=True):
        body, end = (line[:-1], "\n") if line.endswith("\n") else (line, "")
        if body.startswith("@@"):
            in_hunks = True
            body = style.paint(body, "cyan")
        elif not in_hunks:
            body = style.paint(body, "bold")
        elif body.startswith("-"):
            body = style.paint(body, "red")
        elif body.startswith("+"):
            body = style.paint(body, "green")
        lines.append(body + end)
    return "".join(lines)


def write(changes, out: TextIO) -> None:
    from n1fix.report.style import Style, color_enabled

    style = Style(color_enabled(out))  # a terminal, or FORCE_COLOR; never with NO_COLOR
    for change in changes:
        out.write(coloured(unified(change), style))
