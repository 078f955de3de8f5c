"""`--format sarif`: SARIF 2.1.0 for code-scanning tools (GitHub's, editors, viewers).

One run: the tool with every selected rule's metadata (from its documentation), one
result per finding with its location, a stable fingerprint (`partialFingerprints`, see
`fingerprints.py`) and, when the finding has a fix, a `fixes` entry replacing the changed
lines (one replacement per hunk) with what `n1fix apply` would write for that finding
alone. Paths are relative to
the working directory (`%SRCROOT%`), as code scanning expects when n1fix runs from the
repository root.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from n1fix import __version__
from n1fix.report import rule_docs
from n1fix.report.fingerprints import VERSION, SourceLines, fingerprint_map
from n1fix.report.shown import uri_path
from n1fix.rules import all_rules
from n1fix.rules.base import Applicability, Finding, Severity

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
SRCROOT = "%SRCROOT%"


def write(
    result,
    out: TextIO,
    *,
    root: Path,
    rules: list[str] | None = None,
    fixes: dict | None = None,
    prints: dict | None = None,
) -> None:
    json.dump(
        sarif_log(result, root=root, rules=rules, fixes=fixes or {}, prints=prints),
        out,
        indent=2,
    )
    out.write("\n")


def sarif_log(
    result,
    *,
    root: Path,
    rules: list[str] | None,
    fixes: dict,
    prints: dict | None = None,
    cwd: Path | None = None,
) -> dict:
    """`prints`: fingerprints computed over the whole run (a baseline left some findings out)."""
    from n1fix.engine.single_fix import key

    cwd = (cwd or Path.cwd()).resolve()
    chosen = [rule for rule in all_rules() if rules is None or rule.NAME in rules]
    index = {rule.NAME: i for i, rule in enumerate(chosen)}
    prints = prints or fingerprint_map(result.findings, root, SourceLines())
    results = []
    for finding in result.findings:
        entry = _result(finding, prints[key(finding)], index, cwd)
        fix = fixes.get(key(finding))
        if fix is not None:
            entry["fixes"] = [_fix(finding, fix, cwd)]
        results.append(entry)
    invocation = {"executionSuccessful": not result.errors}
    if result.errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": error}} for error in result.errors
        ]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "n1fix",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_descriptor(rule) for rule in chosen],
                    }
                },
                "invocations": [invocation],
                "originalUriBaseIds": {SRCROOT: {"uri": cwd.as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _descriptor(rule) -> dict:
    what = rule_docs.section(rule, "What it does") or rule.MESSAGE
    return {
        "id": rule.NAME,
        "name": "".join(part.capitalize() for part in rule.NAME.split("-")),
        "shortDescription": {"text": rule.MESSAGE},
        "fullDescription": {"text": " ".join(what.split())},
        "help": {
            "text": rule_docs.documentation(rule),
            "markdown": rule_docs.documentation(rule),
        },
        "defaultConfiguration": {"level": LEVELS[rule.SEVERITY]},
        "properties": {
            "tags": ["performance", "database"],
            "precision": "high",
            "severity": rule.SEVERITY.value,
            "fix": rule.FIX.value,
        },
    }


def _artifact(path: str, cwd: Path) -> dict:
    resolved = Path(path).resolve()
    try:
        return {
            "uri": uri_path(resolved.relative_to(cwd).as_posix()),
            "uriBaseId": SRCROOT,
        }
    except ValueError:
        return {"uri": resolved.as_uri()}


def _result(
    finding: Finding, fingerprint: str, index: dict[str, int], cwd: Path
) -> dict:
    entry = {
        "ruleId": finding.rule,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(finding.path, cwd),
                    "region": {
                        "startLine": finding.line,
                        "startColumn": finding.column,
                        "endLine": finding.end_line,
                        "endColumn": finding.end_column,
                    },
                }
            }
        ],
        "partialFingerprints": {VERSION: fingerprint},
        "properties": {
            "severity": finding.severity.value,
            "applicability": finding.applicability.value,
        },
    }
    if finding.rule in index:
        entry["ruleIndex"] = index[finding.rule]
    if finding.fix_note:
        entry["properties"]["fixNote"] = finding.fix_note
    return entry


def _fix(finding: Finding, fix, cwd: Path) -> dict:
    safe = finding.applicability is Applicability.SAFE
    label = "Apply the safe fix" if safe else "Apply the unsafe fix (review it)"
    files = [fix, *fix.others]  # a fix may add a batch method in another file
    return {
        "description": {
            "text": f"{label}: `n1fix apply{'' if safe else ' --unsafe-fixes'}`"
        },
        "artifactChanges": [
            {
                "artifactLocation": _artifact(str(part.path), cwd),
                "replacements": _replacements(part),
            }
            for part in files
        ],
    }


def _replacements(part) -> list[dict]:
    lines = part.source.text.splitlines(keepends=True)
    return [
        {"deletedRegion": _deleted(lines, edit), "insertedContent": {"text": edit.text}}
        for edit in part.line_edits()
    ]


def _deleted(lines: list[str], edit) -> dict:
    """Whole lines: from column 1 of the first replaced line to column 1 of the line after
    the last (an empty region for a pure insertion), so line breaks are replaced too. An
    edit that reaches the end of the file has no line after it: it is given in characters."""
    if edit.end_line < len(lines):
        return {
            "startLine": edit.start_line,
            "startColumn": 1,
            "endLine": edit.end_line + 1,
            "endColumn": 1,
        }
    offset = sum(len(line) for line in lines[: edit.start_line - 1])
    return {
        "charOffset": offset,
        "charLength": sum(
            len(line) for line in lines[edit.start_line - 1 : edit.end_line]
        ),
    }
