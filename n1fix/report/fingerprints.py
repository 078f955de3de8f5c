"""Stable identities of findings, for baselines and SARIF's `partialFingerprints`.

A fingerprint hashes what a finding is about, not where it sits: the rule, the file's
path from the project root, the finding's lines without their whitespace, and an
occurrence index that tells apart identical lines in one file. Lines added or removed
above a finding, or re-indentation, leave it unchanged; editing the flagged code
changes it (the finding is then new, as a reviewer would see it).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

from n1fix.engine.fileio import SourceError, read_source
from n1fix.engine.single_fix import key as finding_key
from n1fix.rules.base import Finding

VERSION = "n1fix/v1"


def project_path(finding: Finding, root: Path) -> str:
    """The finding's file relative to the project root, with `/` separators."""
    path = Path(finding.path).resolve()
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def normalised_code(lines: list[str], finding: Finding) -> str:
    flagged = lines[finding.line - 1 : finding.end_line]
    return "\n".join("".join(line.split()) for line in flagged)


class SourceLines:
    """Each file's lines, read once (reports need them for several findings)."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str]] = {}

    def __call__(self, finding: Finding) -> list[str]:
        if finding.path not in self._lines:
            try:
                text = read_source(Path(finding.path)).text
            except SourceError:
                text = ""
            self._lines[finding.path] = text.splitlines()
        return self._lines[finding.path]


def fingerprints(
    findings: list[Finding], root: Path, lines: SourceLines | None = None
) -> list[str]:
    """One fingerprint per finding, in the order given (give them in file order)."""
    lines = lines or SourceLines()
    seen: Counter[str] = Counter()
    result = []
    for finding in findings:
        identity = "\0".join(
            (
                finding.rule,
                project_path(finding, root),
                normalised_code(lines(finding), finding),
            )
        )
        occurrence = seen[identity]
        seen[identity] += 1
        # surrogateescape: a file name that is not UTF-8 hashes as its bytes.
        result.append(
            hashlib.sha256(
                f"{identity}\0{occurrence}".encode("utf-8", "surrogateescape")
            ).hexdigest()[:32]
        )
    return result


def fingerprint_map(
    findings: list[Finding], root: Path, lines: SourceLines | None = None
) -> dict[tuple, str]:
    """`finding_key(finding)` -> fingerprint. Computed over every finding of the run, so a
    finding keeps its occurrence index when others are left out (by a baseline)."""
    return {
        finding_key(f): fp
        for f, fp in zip(findings, fingerprints(findings, root, lines))
    }
