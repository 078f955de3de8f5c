"""The reviewed ledger: one TOML file per project under `ecosystem/ledger/`.

Read with `tomllib`; written by the small serializer below, which always writes the same
text for the same entries (fixed key order, entries sorted by path, line, rule), so a
review shows up as a one-line diff. Comments in the file are not kept: the one line of
why goes in `why`.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

LEDGER_DIR = Path(__file__).with_name("ledger")

FIX_VERDICTS = ("merge", "pointless", "wrong", "unreviewed")
FINDING_VERDICTS = ("true", "noise", "unreviewed")
LABELS = ("safe", "unsafe")

HEADER = """\
# n1fix ecosystem ledger for {project} {version}: every finding n1fix reports on this
# release, with the reviewers' verdicts. `python ecosystem/check.py --update-ledger` adds
# new entries as unreviewed, drops gone ones, and keeps the verdicts of the others.
#
# [[fix]]: a finding whose fix, applied alone, changes the code (the diff is in the review
#   bundle). verdict = "merge" (a maintainer would merge it: correct and saves round
#   trips) | "pointless" (correct but saves nothing) | "wrong" (changes behaviour or
#   fails) | "unreviewed". For merge, label-right = true when the safe/unsafe label is
#   right. `why`: one line.
# [[finding]]: a finding without a fix. verdict = "true" (a real per-item round trip) |
#   "noise" (names no problem) | "unreviewed". A label other than "none" is a fix the
#   scan offers that `apply` drops.
# fingerprint: what the fix changes (or the flagged code), not where; `line` is only
#   informative. Comments are not kept: write the why in `why`.

"""


class LedgerError(Exception):
    pass


@dataclass
class LedgerFix:
    fingerprint: str
    rule: str
    path: str
    line: int
    label: str
    verdict: str = "unreviewed"
    why: str = ""
    label_right: bool | None = None  # for merge: is the safe/unsafe label right?


@dataclass
class LedgerFinding:
    fingerprint: str
    rule: str
    path: str
    line: int
    label: str = "none"
    verdict: str = "unreviewed"
    why: str = ""


@dataclass
class ProjectLedger:
    project: str
    version: str
    fixes: list[LedgerFix] = field(default_factory=list)
    findings: list[LedgerFinding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def fix(self, fingerprint: str) -> LedgerFix | None:
        return next((f for f in self.fixes if f.fingerprint == fingerprint), None)


def ledger_path(directory: Path, project: str) -> Path:
    return directory / f"{project}.toml"


def read_ledger(path: Path) -> ProjectLedger:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise LedgerError(f"{path}: invalid TOML: {error}") from error
    try:
        ledger = ProjectLedger(
            project=data["project"],
            version=data["version"],
            fixes=[_fix(entry) for entry in data.get("fix", [])],
            findings=[_finding(entry) for entry in data.get("finding", [])],
            errors=list(data.get("errors", [])),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise LedgerError(f"{path}: {error}") from error
    seen: set[str] = set()
    for entry in [*ledger.fixes, *ledger.findings]:
        if entry.fingerprint in seen:
            raise LedgerError(
                f"{path}: fingerprint {entry.fingerprint} is listed twice"
            )
        seen.add(entry.fingerprint)
    return ledger


def _fix(entry: dict) -> LedgerFix:
    entry = dict(entry)
    label_right = entry.pop("label-right", None)
    fix = LedgerFix(**entry, label_right=label_right)
    if fix.verdict not in FIX_VERDICTS:
        raise ValueError(
            f"fix {fix.fingerprint}: verdict {fix.verdict!r} is not one of {', '.join(FIX_VERDICTS)}"
        )
    if fix.label not in LABELS:
        raise ValueError(
            f"fix {fix.fingerprint}: label {fix.label!r} is not one of {', '.join(LABELS)}"
        )
    if label_right is not None and not isinstance(label_right, bool):
        raise ValueError(f"fix {fix.fingerprint}: label-right must be true or false")
    return fix


def _finding(entry: dict) -> LedgerFinding:
    finding = LedgerFinding(**entry)
    if finding.verdict not in FINDING_VERDICTS:
        raise ValueError(
            f"finding {finding.fingerprint}: verdict {finding.verdict!r} is not one of {', '.join(FINDING_VERDICTS)}"
        )
    return finding


def write_ledger(path: Path, ledger: ProjectLedger) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_ledger(ledger), encoding="utf-8")


def dump_ledger(ledger: ProjectLedger) -> str:
    out = [HEADER.format(project=ledger.project, version=ledger.version)]
    out.append(
        f"project = {_string(ledger.project)}\nversion = {_string(ledger.version)}\n"
    )
    if ledger.errors:
        out.append(
            "errors = [\n"
            + "".join(f"    {_string(e)},\n" for e in sorted(ledger.errors))
            + "]\n"
        )
    for fix in sorted(ledger.fixes, key=_order):
        lines = [
            "[[fix]]",
            f"fingerprint = {_string(fix.fingerprint)}",
            f"rule = {_string(fix.rule)}",
            f"path = {_string(fix.path)}",
            f"line = {fix.line}",
            f"label = {_string(fix.label)}",
            f"verdict = {_string(fix.verdict)}",
        ]
        if fix.label_right is not None:
            lines.append(f"label-right = {'true' if fix.label_right else 'false'}")
        lines.append(f"why = {_string(fix.why)}")
        out.append("\n" + "\n".join(lines) + "\n")
    for finding in sorted(ledger.findings, key=_order):
        lines = [
            "[[finding]]",
            f"fingerprint = {_string(finding.fingerprint)}",
            f"rule = {_string(finding.rule)}",
            f"path = {_string(finding.path)}",
            f"line = {finding.line}",
            f"label = {_string(finding.label)}",
            f"verdict = {_string(finding.verdict)}",
            f"why = {_string(finding.why)}",
        ]
        out.append("\n" + "\n".join(lines) + "\n")
    return "".join(out)


def _order(entry) -> tuple:
    return (entry.path, entry.line, entry.rule, entry.fingerprint)


def _string(value: str) -> str:
    """A TOML basic string. JSON's escapes (\\" \\\\ \\n \\t \\uXXXX) are all valid TOML;
    DEL, which JSON leaves raw and TOML forbids, is escaped too."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
