"""A module's code without the comment and blank lines after its last line of code.

Planning a batch method in another module (`rules.query_in_loop.batch_variant`) reads
that module without them, so that what the plan read, and what the results cache keys
its caller's findings by (`engine/reads.py`), stays the same when only such lines
change: a comment added at the end of a model file must not re-check every file whose
fix plans a method there.

Why the plan's answer cannot depend on those lines: in valid Python, lines after the
last line of code that hold only a comment or whitespace are no tokens but comments and
blank lines (no string or bracket is open there: one would end on a later line of
code), so the statements, the imports and every function are the same without them.
LibCST keeps them as the module's footer (or the last block's): the plan copies the
footer into its synthetic module after every statement, where nothing it asks reads a
comment (suppressions are read from the checked file's text, a query's pragmas from
its own lines), and compiles the module with the new method, which comments do not
change. The findings and fixes of the reference trees are the same with and without
them (bench/README.md, session 33). Kept:
a line right after a backslash continuation, which belongs to the line before it
(`x = 1 \\` then a blank line compiles; without the blank line it does not).

Lines end as Python's tokenizer ends them (`\\n`, `\\r\\n`, `\\r`), not as
`str.splitlines` does: a form feed or a line separator inside a string on the last line
of code must not make the rest of that line look like a comment line.
"""

from __future__ import annotations

import re

_BLANK_OR_COMMENT = re.compile(r"[ \t\f]*(?:#[^\r\n]*)?(?:\r\n|\r|\n)?\Z")


def without_trailing_comments(text: str) -> str:
    """`text` without the lines after its last line of code that hold only a comment or
    whitespace. A text with no such lines is returned as it is (the same object)."""
    end = len(text)
    while end:
        start = _line_start(text, end)
        if not _BLANK_OR_COMMENT.match(text, start, end) or _continues(text, start):
            break
        end = start
    return text if end == len(text) else text[:end]


def _body_end(text: str, end: int) -> int:
    """Where the physical line ending at `end` ends without its line end."""
    if end >= 2 and text.startswith("\r\n", end - 2):
        return end - 2
    if end >= 1 and text[end - 1] in "\r\n":
        return end - 1
    return end


def _line_start(text: str, end: int) -> int:
    """Where the physical line ending at `end` (its line end included) starts."""
    body_end = _body_end(text, end)
    return max(text.rfind("\n", 0, body_end), text.rfind("\r", 0, body_end)) + 1


def _continues(text: str, start: int) -> bool:
    """Does the line before the one starting at `start` end with a backslash that
    joins the two?"""
    if start == 0:
        return False
    body_end = _body_end(text, start)
    return body_end > 0 and text[body_end - 1] == "\\"
