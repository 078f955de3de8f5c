"""The audit's "Implementation Priority": the findings in phases by how safe their fix
is and how often their lines run (the statements they sent in a recorded run, else the
severity: a per-item cost before a constant one)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from n1fix.rules import rule_by_name
from n1fix.rules.base import Applicability, Finding, Severity

PHASES = (
    (
        "Phase 1: safe fixes of per-item costs (apply now)",
        "`n1fix apply` writes them; each is proved from the code.",
    ),
    (
        "Phase 2: unsafe fixes of per-item costs (review, then apply)",
        "Read the reason given with each; `n1fix apply --unsafe-fixes` or the interactive "
        "prompt writes them.",
    ),
    (
        "Phase 3: constant costs (rows loaded, awaits in a row)",
        "One query either way, or a fixed number: fewer rows or less waiting.",
    ),
    (
        "Phase 4: findings without a fix (a person decides)",
        "The reason n1fix offers no fix is given with each.",
    ),
)


def per_item(finding: Finding) -> bool:
    """Does the finding cost a round trip per item (its rule's formula has an N)?"""
    rule = rule_by_name(finding.rule)
    trips = rule.ROUND_TRIPS if rule is not None else None
    return trips is not None and "N" in trips[0]


def phase_of(finding: Finding) -> int:
    if finding.applicability is Applicability.NONE:
        return 3
    if not per_item(finding):
        return 2
    return 0 if finding.applicability is Applicability.SAFE else 1


def write(
    out: TextIO,
    findings: list[Finding],
    measured,
    function_of: Callable[[Finding], str | None],
) -> None:
    out.write("## Implementation Priority\n\n")
    order = "statements sent in the recorded run, " if measured is not None else ""
    out.write(f"Within a phase, by {order}severity, then place in the code.\n\n")
    phases: list[list[Finding]] = [[] for _ in PHASES]
    for finding in findings:
        phases[phase_of(finding)].append(finding)
    number = 0
    for (title, words), items in zip(PHASES, phases):
        if not items:
            continue
        out.write(f"### {title}\n\n{words}\n\n")
        items.sort(
            key=lambda f: (
                -(measured.of(f) if measured is not None else 0),
                f.severity is not Severity.HIGH,
                f.path,
                f.line,
            )
        )
        for finding in items:
            number += 1
            name = function_of(finding)
            where = f"`{name}()` in " if name else ""
            sent = ""
            if measured is not None:
                count = measured.of(finding)
                sent = (
                    f"; sent {count} in the recorded run" if count else "; not reached"
                )
            out.write(
                f"{number}. {where}`{finding.path}:{finding.line}`: `{finding.rule}`"
                f" ({finding.severity.value}{sent})\n"
            )
        out.write("\n")
