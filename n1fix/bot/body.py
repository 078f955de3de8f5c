"""What people read: pull request titles and bodies, commit messages and comments."""

from __future__ import annotations

import hashlib
import re
import shlex

from n1fix import __version__
from n1fix.bot.edits import Edit
from n1fix.bot.grouping import Group, GroupBy
from n1fix.rules.base import Applicability, Finding

# A pull request body may hold 65,536 characters; the table stops well before.
MAX_ROWS = 150
MARKER = "<!-- n1fix-bot -->"
FIXES_MARK, STALE_MARK = "n1fix-bot fixes:", "n1fix-bot stale fixes:"
_ROUND_TRIPS = re.compile(r"\(([^()]*?) round trips\)")


def title(group: Group) -> str:
    files = len(group.paths)
    where = group.paths[0] if files == 1 else f"{files} files"
    if group.by is GroupBy.rule:
        return f"n1fix: fix {group.key} in {where}"
    return f"n1fix: fix database round-trip waste in {where}"


def fixes_marker(group: Group) -> str:
    """A hidden line naming the exact rewrites, so that the same fixes closed without
    merging are recognised and not proposed again."""
    digest = hashlib.sha256()
    files = {path: data for edit in group.edits for path, data in edit.files.items()}
    for path in sorted(files):
        digest.update(
            path.encode("utf-8", "surrogateescape")
            + b"\0"
            + hashlib.sha256(files[path]).digest()
        )
    return f"<!-- {FIXES_MARK}{digest.hexdigest()[:20]} -->"


def pull_body(group: Group, *, base: str, paths: list[str], unsafe_fixes: bool) -> str:
    findings = group.findings
    lines = [
        MARKER,
        fixes_marker(group),
        f"n1fix found {_count(len(findings), 'place')} where the code goes to the database more often than it needs to, "
        f"and rewrote {'it' if len(findings) == 1 else 'them'} as a reviewer would: the same results, fewer round trips. "
        "Every rewrite was re-parsed and compiled, and n1fix checked that the finding is gone.",
        "",
        "| File | Rule | What | Round trips | Fix safety |",
        "|---|---|---|---|---|",
    ]
    for finding in findings[:MAX_ROWS]:
        lines.append(
            f"| `{finding.path}:{finding.line}` | `{finding.rule}` | {_cell(finding.message)} "
            f"| {round_trips(finding)} | {finding.applicability.value} |"
        )
    if len(findings) > MAX_ROWS:
        lines.append(f"\n…and {len(findings) - MAX_ROWS} more; see the commits.")
    unsafe = [f for f in findings if f.applicability is Applicability.UNSAFE]
    if unsafe:
        lines += [
            "",
            "**Review the unsafe fixes closely**: n1fix could not show every precondition of the rewrite.",
            "",
        ]
        lines += [
            f"- `{f.path}:{f.line}`: {_cell(f.fix_note or f.message)}" for f in unsafe
        ]
    lines += [
        "",
        "### Reproduce locally",
        "",
        f"On `{base}`:",
        "",
        "```",
        reproduce_command(group, paths=paths, unsafe_fixes=unsafe_fixes),
        "```",
        "",
        f"<sub>Opened by `n1fix bot` {__version__}. It updates this pull request when the fixes change, "
        "closes it when they are no longer needed, and leaves the branch alone once someone else pushes to it.</sub>",
    ]
    return "\n".join(lines) + "\n"


def reproduce_command(group: Group, *, paths: list[str], unsafe_fixes: bool) -> str:
    words = ["n1fix", "apply", "--dry-run"]
    if group.by is GroupBy.rule:
        words += ["--select", group.key]
    if unsafe_fixes:
        words.append("--unsafe-fixes")
    words += group.paths if group.by is GroupBy.file else paths
    return shlex.join(words)


def round_trips(finding: Finding) -> str:
    """`1 + N → 2`: the finding's count before, and after the per-item query became one."""
    match = _ROUND_TRIPS.search(finding.message)
    if not match:
        return "fewer"
    before = match[1].strip()
    after = _batched(before)
    return f"{before} → {after}" if after is not None else before


def _batched(expression: str) -> int | None:
    """`1 + 2N` with N = 1 (every per-item query runs once for all items); None if the
    expression is not a sum of numbers and multiples of N."""
    total = 0
    terms = [t.strip() for t in expression.split("+")]
    if not any(t.endswith("N") for t in terms):
        return None
    for term in terms:
        number = term[:-1].strip() if term.endswith("N") else term
        if term.endswith("N") and number == "":
            total += 1
        elif number.isdigit():
            total += int(number)
        else:
            return None
    return total


def commit_message(group: Group, edit: Edit) -> str:
    rules = ", ".join(edit.rules)
    where = edit.paths[0] if len(edit.paths) == 1 else f"{len(edit.paths)} files"
    subject = f"n1fix: {rules} in {where}"
    if len(edit.findings) > 1:
        subject += f" ({len(edit.findings)} fixes)"
    body = []
    for finding in edit.findings:
        body.append(
            f"- {finding.path}:{finding.line} [{finding.applicability.value}] {round_trips(finding)}"
        )
        body.append(f"  {' '.join(finding.message.split())}")
    return subject + "\n\n" + "\n".join(body) + "\n"


def tests_failed_comment(command: str, exit_code: int, output_tail: str) -> str:
    return (
        f"{MARKER}\nn1fix has new fixes for this pull request, but `{command}` failed on them "
        f"(exit code {exit_code}), so its branch was left as it was.\n\n"
        f"<details><summary>The end of the output</summary>\n\n```\n{output_tail}\n```\n</details>\n"
    )


def stale_comment(group_key: str, base: str) -> str:
    return (
        f"{MARKER}\nn1fix finds nothing left to fix for `{group_key}` on `{base}` "
        "(the fixes were merged, or made by hand), so this pull request is no longer needed. Closing it."
    )


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"
