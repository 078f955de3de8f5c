"""Baselines: the findings a project has accepted for now, so CI fails only on new ones.

`n1fix scan --write-baseline FILE` records every current finding by its fingerprint
(see `fingerprints.py`: stable across edits elsewhere in the file); `n1fix scan
--baseline FILE` then reports only findings whose fingerprint is not recorded. The file
is JSON meant to be committed; rule, path, line and message are kept beside each
fingerprint for the reader, and only the fingerprint is compared.
"""

from __future__ import annotations

import json
from pathlib import Path

from n1fix.report.fingerprints import (
    VERSION,
    SourceLines,
    finding_key,
    fingerprints,
    project_path,
)
from n1fix.rules.base import Finding


class BaselineError(ValueError):
    """The baseline file is missing or not one n1fix wrote (a usage error, exit 2)."""


def write_baseline(path: Path, findings: list[Finding], root: Path) -> None:
    prints = fingerprints(findings, root, SourceLines())
    entries = [
        {
            "fingerprint": fp,
            "rule": f.rule,
            "path": project_path(f, root),
            "line": f.line,
            "message": f.message,
        }
        for f, fp in zip(findings, prints)
    ]
    document = {"tool": "n1fix", "fingerprint": VERSION, "findings": entries}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def load_baseline(path: Path) -> set[str]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BaselineError(
            f"cannot read the baseline {path}: {error.strerror or error}"
        ) from None
    except ValueError as error:
        raise BaselineError(f"the baseline {path} is not JSON: {error}") from None
    if (
        not isinstance(document, dict)
        or document.get("tool") != "n1fix"
        or not isinstance(document.get("findings"), list)
    ):
        raise BaselineError(
            f"{path} is not an n1fix baseline (write one with --write-baseline)"
        )
    if document.get("fingerprint") != VERSION:
        raise BaselineError(
            f"the baseline {path} was written with other fingerprints ({document.get('fingerprint')}); write it again"
        )
    return {
        entry["fingerprint"]
        for entry in document["findings"]
        if isinstance(entry, dict) and "fingerprint" in entry
    }


def new_findings(
    findings: list[Finding], known: set[str], prints: dict[tuple, str]
) -> list[Finding]:
    """The findings whose fingerprint (from `fingerprint_map` over the whole run) is not known."""
    return [f for f in findings if prints[finding_key(f)] not in known]
