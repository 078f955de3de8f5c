"""Pragmas (`# noqa`, `# type: ignore`, ...) go with the code they silence.

A rewrite that moves an expression to a new statement (the per-item query into the batch,
a loop's iterable into a list) leaves the line's trailing comment where it was. A pragma
on that line may be about the moved expression, so the new statement gets a copy, on the
line where the moved code starts; the original line keeps its own, since it may be about
what stays there (`owner: Admin = ...  # type: ignore[assignment]`). A spare pragma costs
at most an "unused ignore" notice; a missing one fails the project's checks.
"""

from __future__ import annotations

import functools
import io
import re
import tokenize

import libcst as cst

_PRAGMA = re.compile(
    r"#\s*(noqa\b|type:\s*ignore\b|pyright:\s*ignore\b|pylint:\s*disable\b|nosec\b)"
)


def pragmas_beside(ctx, node: cst.CSTNode) -> list[str]:
    """The pragma comments on the lines `node` spans, other than those inside it (they
    move with its code): `type: ignore` first, as mypy reads it only at a comment's start."""
    try:
        position = ctx.range_of(node)
    except KeyError:  # a node the analysis built, not one of the module's
        return []
    if isinstance(
        node, cst.SimpleStatementLine
    ):  # its own trailing comment is beside it
        node = node.with_changes(
            leading_lines=[], trailing_whitespace=cst.TrailingWhitespace()
        )
    own = ctx.module.code_for_node(node)
    found = [
        part
        for line, comment in _comments(ctx.text)
        if position.start.line <= line <= position.end.line and comment not in own
        for part in re.split(r"\s+(?=#)", comment)  # `# noqa: B007  # type: ignore` is one comment
        if _PRAGMA.match(part)
    ]
    return sorted(
        dict.fromkeys(found), key=lambda c: not c.replace(" ", "").startswith("#type:")
    )


def with_pragmas(statement: str, anchor: str, pragmas: list[str]) -> str:
    """`statement` with `pragmas` at the end of the first line that holds `anchor` (its
    first line when none does), unless that line has a comment already."""
    if not pragmas:
        return statement
    lines = statement.split("\n")
    at = next((i for i, line in enumerate(lines) if anchor and anchor in line), 0)
    if "#" in lines[at]:
        return statement
    lines[at] = f"{lines[at]}  {'  '.join(pragmas)}"
    candidate = "\n".join(lines)
    try:  # the line may end inside a string that spans lines: no comment there
        cst.parse_statement(candidate + "\n")
    except cst.ParserSyntaxError:
        return statement
    return candidate


@functools.lru_cache(maxsize=4)
def _comments(code: str) -> list[tuple[int, str]]:
    """The comments by line, worked out once per text (each fix in a file asks: 200 fixes
    in one file tokenized it 200 times)."""
    try:
        return [
            (token.start[0], token.string)
            for token in tokenize.generate_tokens(io.StringIO(code).readline)
            if token.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError):
        return []
