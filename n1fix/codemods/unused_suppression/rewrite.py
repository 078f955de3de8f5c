"""Delete a stale `# n1fix: ignore` comment, or the names in it that silence nothing."""

from __future__ import annotations

import libcst as cst


def fix(ctx, finding) -> cst.Module:
    edit = finding.plan
    lines = ctx.text.splitlines(keepends=True)
    line = lines[edit.line - 1]
    body = line.rstrip("\r\n")
    newline = line[len(body) :]
    if edit.replacement is not None:
        new = body[: edit.start] + edit.replacement + body[edit.end :]
    else:
        new = body[: edit.start].rstrip() + body[edit.end :]
    if new.strip():
        lines[edit.line - 1] = new + newline
    else:
        del lines[edit.line - 1]  # the line held only the comment
    return cst.parse_module("".join(lines))
