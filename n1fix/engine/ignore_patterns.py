"""Gitignore-style patterns as regexes: the plain ones translated here, the rest by pathspec.

Importing pathspec costs more than a pre-commit run over a few files spends checking
them, and almost every pattern met (the default excludes, most `.gitignore` lines) is
plain: names, `*`, `?`, slashes and `**`. Those are translated here into exactly the
regex pathspec's "gitignore" pattern makes of them (tests/test_ignore_patterns.py
compares the two); a pattern with a character class or an escape (`[`, `\\`) goes to
pathspec, imported then.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

__all__ = ["Pattern", "compile_pattern", "plain_regex"]


class Pattern:
    """A compiled pattern, as `_Rules` uses pathspec's: `include` (None: the line says
    nothing), `regex`, `match_file`."""

    __slots__ = ("include", "regex")

    def __init__(self, regex: re.Pattern | None, include: bool | None) -> None:
        self.regex, self.include = regex, include

    def match_file(self, file: str) -> Any:
        return None if self.regex is None else self.regex.search(file)


def compile_pattern(line: str):
    plain = plain_regex(line)
    if plain is None:
        return _pathspec_pattern()(line)
    regex, include = plain
    return Pattern(None if regex is None else re.compile(regex), include)


@functools.cache
def _pathspec_pattern() -> Callable[[str], Any]:
    import pathspec

    # pathspec 1.x calls gitignore patterns "gitignore" and deprecates "gitwildmatch".
    try:
        return pathspec.lookup_pattern("gitignore")
    except LookupError:
        return pathspec.lookup_pattern("gitwildmatch")


def plain_regex(line: str) -> tuple[str | None, bool | None] | None:
    """pathspec's (regex, include) for a plain pattern line; None when it is not plain
    (or is one pathspec rejects: it says why)."""
    if "\\" in line or "[" in line:
        return None
    text = line.rstrip()
    if not text or text.startswith("#"):
        return None, None
    include = True
    if text.startswith("!"):
        include, text = False, text[1:]
    segments = text.split("/")
    is_dir = not segments[-1] and text != "/"
    if not segments[0]:
        del segments[0]
    elif (len(segments) == 1 or (len(segments) == 2 and not segments[1])) and segments[
        0
    ] != "**":
        segments.insert(0, "**")
    if not segments:
        return None
    if not segments[-1]:
        segments[-1] = "**"
    for i in range(len(segments) - 1, 0, -1):
        if segments[i - 1] == "**" and segments[i] == "**":
            del segments[i]
    if segments == ["**"]:
        return ("/" if is_dir else "."), include
    if segments == ["**", "*"]:
        return ".", include
    if segments == ["**", "*", "**"]:
        return "/", include
    return "".join(_translated(segments)), include


def _translated(segments: list[str]) -> list[str]:
    parts: list[str] = []
    need_slash = False
    end = len(segments) - 1
    for i, segment in enumerate(segments):
        if segment == "**":
            if i == 0:
                parts.append("^(?:.+/)?")
            elif i < end:
                parts.append("(?:/.+)?")
                need_slash = True
            else:
                parts.append("/")
            continue
        if i == 0:
            parts.append("^")
        if need_slash:
            parts.append("/")
        parts.append("[^/]+" if segment == "*" else _glob(segment))
        if i == end:
            parts.append("/?$" if segment == "*" else "(?:/|$)")
        need_slash = True
    return parts


def _glob(segment: str) -> str:
    return "".join(
        "[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char)
        for char in segment
    )
