"""Unified diffs of pending changes, coloured on a terminal."""

from __future__ import annotations

import difflib
from typing import TextIO


def unified(change) -> str:
    old = change.source.text.splitlines(keepends=True)
    new = change.new_text.splitlines(keepends=True)
    return "".join(
        difflib.unified_diff(old, new, fromfile=f"a/{change.display}", tofile=f"b/{change.display}")
    )


def write(changes, out: TextIO) -> None:
    color = out.isatty()
    for change in changes:
        text = unified(change)
        if not color:
            out.write(text)
            continue
        from rich.console import Console
        from rich.syntax import Syntax

        Console(file=out).print(Syntax(text, "diff", theme="ansi_dark", background_color="default"))
