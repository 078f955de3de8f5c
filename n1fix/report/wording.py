"""Counts in words, right for 0, 1 and many: every message that states a count uses this."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 finding`, `0 findings`, `2 fixes` (irregular forms are given: `plural(n, "fix", "fixes")`)."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {many if many is not None else word + 's'}"


def fixes(count: int) -> str:
    return plural(count, "fix", "fixes")


def joined(parts: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"
