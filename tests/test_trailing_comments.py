"""`without_trailing_comments`: a module's code without the comment and blank lines after
its last line of code (what a batch plan reads of another module). It must leave the
code itself alone: the statements `ast` reads are the same, and a text that compiled
still compiles."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from n1fix.cst.trailing_comments import without_trailing_comments

CASES = [
    ("x = 1\n", "x = 1\n"),
    ("x = 1", "x = 1"),
    ("x = 1\n# a comment\n", "x = 1\n"),
    ("x = 1\n\n\n# one\n   # two\n\n", "x = 1\n"),
    ("x = 1\n# no line end", "x = 1\n"),
    ("x = 1\r\n# c\r\n\r\n", "x = 1\r\n"),
    ("x = 1\r# c\r", "x = 1\r"),
    ("x = 1  # on the line of code\n", "x = 1  # on the line of code\n"),
    ("class A:\n    def f(self):\n        return 1\n    # in the block\n", None),
    ("# only comments\n\n# here\n", ""),
    ("", ""),
    # a comment in the middle stays: only the lines after the last line of code go
    ("# top\nx = 1\n# middle\ny = 2\n# end\n", "# top\nx = 1\n# middle\ny = 2\n"),
    # a line joined to the one before by a backslash belongs to it
    ("x = 1 \\\n\n", "x = 1 \\\n\n"),
    ("x = 1 \\\n\n# c\n", "x = 1 \\\n\n"),
    # the end of a string on the last line of code is code
    ('s = """\n# not a comment\n"""\n# c\n', 's = """\n# not a comment\n"""\n'),
    # a form feed or a line separator does not end a line for Python
    ('s = "a\x0c# b"\n', 's = "a\x0c# b"\n'),
    ('s = "a\u2028# b"\n# c\n', 's = "a\u2028# b"\n'),
    ("x = 1\n\x0c# c\n", "x = 1\n"),
    # a comment ending in a backslash continues nothing
    ("x = 1\n# c \\\n", "x = 1\n"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_trailing_comment_lines_go_and_code_stays(text: str, expected) -> None:
    if expected is None:
        expected = text.removesuffix("    # in the block\n")
    assert without_trailing_comments(text) == expected


def test_a_text_without_such_lines_is_given_back_as_it_is() -> None:
    text = "import os\n\n\ndef f():\n    return os.sep\n"
    assert without_trailing_comments(text) is text


def _same_code(text: str) -> None:
    stripped = without_trailing_comments(text)
    assert text.startswith(stripped)
    assert ast.dump(ast.parse(stripped)) == ast.dump(ast.parse(text))
    compile(stripped, "<stripped>", "exec", dont_inherit=True)


@pytest.mark.parametrize("text, expected", [c for c in CASES if c[0].strip()])
def test_the_code_is_the_same(text: str, expected) -> None:
    try:
        compile(text, "<text>", "exec", dont_inherit=True)
    except SyntaxError:
        pytest.skip("not Python")
    _same_code(text)


def test_the_code_of_every_module_of_n1fix_is_the_same_with_comments_appended() -> None:
    package = Path(__file__).resolve().parent.parent / "n1fix"
    for path in sorted(package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for tail in ("", "\n# appended\n    # indented\n\n"):
            try:
                compile(text + tail, str(path), "exec", dont_inherit=True)
            except SyntaxError:
                continue
            _same_code(text + tail)
