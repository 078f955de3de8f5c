"""Colour on a terminal, as ruff colours its findings; none when piped or with NO_COLOR.

`NO_COLOR` (set and not empty, https://no-color.org) turns colour off; otherwise
`FORCE_COLOR` (set and not empty) turns it on even when piped; otherwise there is colour
when the stream is a terminal and TERM is not `dumb`. The codes are plain ANSI escapes:
loading rich for four styles would cost every run its import time.
"""

from __future__ import annotations

import os
from typing import TextIO

_RESET = "\x1b[0m"
_CODES = {"bold": "1", "cyan": "36", "red": "31", "green": "32", "yellow": "33"}


def color_enabled(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


class Style:
    """Paints text when colour is on; returns it unchanged when it is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def paint(self, text: str, *styles: str) -> str:
        if not self.enabled or not styles:
            return text
        return "".join(f"\x1b[{_CODES[s]}m" for s in styles) + text + _RESET

    def location(self, path: str, line: int, column: int) -> str:
        """`path:line:col:` with the path bold and the colons cyan (ruff's concise output)."""
        colon = self.paint(":", "cyan")
        return f"{self.paint(path, 'bold')}{colon}{line}{colon}{column}{colon}"

    def rule(self, name: str) -> str:
        return self.paint(name, "bold", "red")

    def fix_marker(self) -> str:
        return f"[{self.paint('*', 'cyan')}]"
