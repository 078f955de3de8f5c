"""The ledger's numbers, per project and per rule, as markdown tables.

"mislabelled" counts merged fixes whose safe/unsafe label is wrong. Percentages are of the reviewed fixes (unreviewed ones are counted apart), so they read
as the share found so far; "—" when none is reviewed yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ecosystem.ledger import ProjectLedger


@dataclass
class Counts:
    findings: int = 0
    no_fix: int = 0
    noise: int = 0
    fixes: int = 0
    safe: int = 0
    unsafe: int = 0
    merge: int = 0
    pointless: int = 0
    wrong: int = 0
    unreviewed: int = 0
    wrong_safe: int = 0
    wrong_unsafe: int = 0
    reviewed_unsafe: int = 0
    label_wrong: int = 0  # merged, but labelled wrongly

    @property
    def reviewed(self) -> int:
        return self.fixes - self.unreviewed

    def add_fix(self, label: str, verdict: str, label_right: bool | None) -> None:
        self.findings += 1
        self.fixes += 1
        setattr(self, label, getattr(self, label) + 1)
        setattr(self, verdict, getattr(self, verdict) + 1)
        if verdict == "wrong":
            setattr(self, f"wrong_{label}", getattr(self, f"wrong_{label}") + 1)
        if label == "unsafe" and verdict != "unreviewed":
            self.reviewed_unsafe += 1
        if verdict == "merge" and label_right is False:
            self.label_wrong += 1

    def add_finding(self, verdict: str) -> None:
        self.findings += 1
        self.no_fix += 1
        if verdict == "noise":
            self.noise += 1

    def percent_wrong_unsafe(self) -> str:
        return _percent(self.wrong_unsafe, self.reviewed_unsafe)

    def percent_pointless(self) -> str:
        return _percent(self.pointless, self.reviewed)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "—"


def per_project(ledgers: Iterable[ProjectLedger]) -> dict[tuple[str, str], Counts]:
    table: dict[tuple[str, str], Counts] = {}
    for ledger in ledgers:
        counts = table.setdefault((ledger.project, ledger.version), Counts())
        for fix in ledger.fixes:
            counts.add_fix(fix.label, fix.verdict, fix.label_right)
        for finding in ledger.findings:
            counts.add_finding(finding.verdict)
    return table


def per_rule(ledgers: Iterable[ProjectLedger]) -> dict[str, Counts]:
    table: dict[str, Counts] = {}
    for ledger in ledgers:
        for fix in ledger.fixes:
            table.setdefault(fix.rule, Counts()).add_fix(
                fix.label, fix.verdict, fix.label_right
            )
        for finding in ledger.findings:
            table.setdefault(finding.rule, Counts()).add_finding(finding.verdict)
    return dict(sorted(table.items()))


def total(rows: Iterable[Counts]) -> Counts:
    result = Counts()
    for row in rows:
        for name in result.__dataclass_fields__:
            setattr(result, name, getattr(result, name) + getattr(row, name))
    return result


COLUMNS = (
    "findings",
    "no fix",
    "noise",
    "fixes",
    "safe",
    "unsafe",
    "merge",
    "mislabelled",
    "pointless",
    "wrong",
    "unreviewed",
    "wrong among safe",
    "% wrong among unsafe",
    "% pointless",
)


def _cells(c: Counts) -> list[str]:
    return [
        str(c.findings),
        str(c.no_fix),
        str(c.noise),
        str(c.fixes),
        str(c.safe),
        str(c.unsafe),
        str(c.merge),
        str(c.label_wrong),
        str(c.pointless),
        str(c.wrong),
        str(c.unreviewed),
        str(c.wrong_safe),
        c.percent_wrong_unsafe(),
        c.percent_pointless(),
    ]


def markdown_tables(ledgers: list[ProjectLedger]) -> str:
    projects = per_project(ledgers)
    rules = per_rule(ledgers)
    lines = [
        "| project | version | " + " | ".join(COLUMNS) + " |",
        "|" + " --- |" * (len(COLUMNS) + 2),
    ]
    for (name, version), counts in sorted(projects.items()):
        lines.append(f"| {name} | {version} | " + " | ".join(_cells(counts)) + " |")
    lines.append(
        "| **total** | | " + " | ".join(_cells(total(projects.values()))) + " |"
    )
    lines += [
        "",
        "| rule | " + " | ".join(COLUMNS) + " |",
        "|" + " --- |" * (len(COLUMNS) + 1),
    ]
    for rule, counts in rules.items():
        lines.append(f"| `{rule}` | " + " | ".join(_cells(counts)) + " |")
    lines.append("| **total** | " + " | ".join(_cells(total(rules.values()))) + " |")
    return "\n".join(lines) + "\n"
