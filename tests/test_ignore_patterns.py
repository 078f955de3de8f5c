"""The plain gitignore patterns n1fix translates itself become exactly the regexes
pathspec makes of them; the others are pathspec's."""

from __future__ import annotations

from pathlib import Path

import pathspec
import pytest

from n1fix.engine.discovery import DEFAULT_EXCLUDES, TEST_PATTERNS
from n1fix.engine.ignore_patterns import compile_pattern, plain_regex

PATHSPEC = pathspec.lookup_pattern("gitignore")
REPOSITORY = Path(__file__).resolve().parent.parent

EDGES = [
    *("/", "**", "**/", "/**", "*", "*/", "**/*", "**/*/**", "/*", "*/**"),
    *("a/**/b", "a/**", "/a/b/", "a//b", "foo**bar", "?x", "x?/", "a/*/b"),
    *("**/a/**/b/**", "./x", "..", "a b", " spaced  ", "*.py", "!*.py", "!build/"),
    *("#comment", "", "   ", "a/", "a/b", "node_modules", "/dist", "*.egg-info/"),
    *("__pycache__/", ".env.*", "docs/_build/", "!.gitkeep", "a+b(c)", "$x^y|z"),
]


def _lines() -> list[str]:
    lines = [*DEFAULT_EXCLUDES, *TEST_PATTERNS, *EDGES]
    for ignore in REPOSITORY.rglob(".gitignore"):
        lines += ignore.read_text(encoding="utf-8", errors="replace").splitlines()
    return lines


@pytest.mark.parametrize("line", sorted(set(_lines())))
def test_a_plain_pattern_is_the_regex_pathspec_makes(line: str) -> None:
    mine = plain_regex(line)
    if mine is None:
        return
    assert mine == PATHSPEC.pattern_to_regex(line)


@pytest.mark.parametrize("line", ["[Bb]uild/", "foo\\ ", "\\#not-a-comment", "!"])
def test_the_others_are_pathspecs(line: str) -> None:
    assert plain_regex(line) is None
    try:
        expected = PATHSPEC(line)
    except Exception as error:  # noqa: BLE001 - the same error, raised by pathspec
        with pytest.raises(type(error)):
            compile_pattern(line)
        return
    pattern = compile_pattern(line)
    assert (type(pattern), pattern.include) == (type(expected), expected.include)


@pytest.mark.parametrize(
    ("line", "path", "matches"),
    [
        ("*migrations*/", "app/db_migrations/", True),
        ("*migrations*/", "app/migrations.py", False),
        ("tests/", "pkg/tests/", True),
        ("/dist", "pkg/dist", False),
        ("!keep.py", "keep.py", True),
    ],
)
def test_a_compiled_pattern_matches_as_pathspecs(line, path, matches) -> None:
    pattern = compile_pattern(line)
    assert bool(pattern.match_file(path)) is matches
    assert bool(PATHSPEC(line).match_file(path)) is matches
