"""The audit's "Performance Metrics Summary": per operation (the function around the
findings), the statements its lines sent in a recorded run (`--trace`) and the count
after the fixes, read from the code: a per-item query batched into one (`1 + N` -> `2`)
leaves one statement where the loop's N were; a join or eager load folded into the first
query (`1 + N` -> `1`) leaves none; a finding without a fix leaves what it sent. Without
a trace, the round trips are the rules' formulas. No time is given: n1fix measures none."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from n1fix.report.fingerprints import project_path
from n1fix.rules import rule_by_name
from n1fix.rules.base import Applicability, Finding

PER_ITEM = "1 + N"  # a query per item after one for the items


def after_at_lines(finding: Finding, sent: int) -> int:
    """The statements the finding's lines stand for after its fix, from the fix's batch
    shape: `1 + N` -> `2` leaves one (the batch), `1 + N` -> `1` none, `N` -> `1` one; a
    fix that keeps the count (awaits run together, fewer rows loaded) or no fix keeps
    what the lines sent."""
    rule = rule_by_name(finding.rule)
    trips = rule.ROUND_TRIPS if rule is not None else None
    if finding.applicability is Applicability.NONE or trips is None:
        return sent
    before, after = trips
    if not after.isdigit():
        return sent
    if before == PER_ITEM:  # the "1" for the items stays where it was
        return min(sent, int(after) - 1)
    if before == "N":
        return min(sent, int(after))
    return sent


def sent_by(measured, findings: list[Finding]) -> int:
    """The statements the findings' lines sent, each line counted once."""
    lines = {
        (project_path(f, measured.root), n)
        for f in findings
        for n in range(f.line, f.end_line + 1)
    }
    return sum(measured.lines.get(line, 0) for line in lines)


def write(
    out: TextIO,
    findings: list[Finding],
    measured,
    function_of: Callable[[Finding], str | None],
) -> None:
    out.write("## Performance Metrics Summary\n\n")
    operations: dict[str, list[Finding]] = {}
    for finding in findings:
        name = function_of(finding)
        where = f"`{name}()`" if name else f"`{finding.path}`"
        operations.setdefault(where, []).append(finding)
    if measured is None:
        _from_the_code(out, operations)
        return
    out.write(
        f"Statements before: sent by the findings' lines in the run recorded in "
        f"`{measured.name}`. After: counted from each fix's batch shape (from the code; "
        "a finding without a fix, or whose fix is not applied, keeps what it sent).\n\n"
    )
    out.write(
        "| Operation | Findings | Statements before (recorded run) "
        "| After the fixes (from the code) | Fewer |\n|---|---|---|---|---|\n"
    )
    total_before = total_after = 0
    for where, items in operations.items():
        before = sent_by(measured, items)
        if not before:
            continue
        after = min(before, sum(after_at_lines(f, measured.of(f)) for f in items))
        total_before += before
        total_after += after
        out.write(
            f"| {where} | {len(items)} | {before} | {after} | {before - after} |\n"
        )
    reached = sum(1 for items in operations.values() if sent_by(measured, items))
    out.write(
        f"\n- **Operations reached by the run:** {reached} of {len(operations)}\n"
        f"- **Statements at those lines:** {total_before} in the recorded run, "
        f"{total_after} after the fixes ({total_before - total_after} fewer)\n"
        "- A fix that runs the same statements together (`asyncio.gather`) or loads "
        "fewer rows in one query keeps its count here\n\n"
    )


def _from_the_code(out: TextIO, operations: dict[str, list[Finding]]) -> None:
    out.write(
        "No run was recorded (`n1fix audit --trace FILE` quotes one), so the round trips "
        "are the rules' formulas, read from the code (N: the loop's items).\n\n"
        "| Operation | Findings | Round trips now | After the fixes |\n|---|---|---|---|\n"
    )
    for where, items in operations.items():
        befores, afters = [], []
        for finding in items:
            rule = rule_by_name(finding.rule)
            trips = rule.ROUND_TRIPS if rule is not None else None
            if trips is None:
                continue
            befores.append(f"`{trips[0]}`")
            fixed = finding.applicability is not Applicability.NONE
            afters.append(f"`{trips[1] if fixed else trips[0]}`")
        out.write(
            f"| {where} | {len(items)} | {', '.join(befores) or 'one query'} "
            f"| {', '.join(afters) or 'one query, fewer rows'} |\n"
        )
    out.write("\n")
