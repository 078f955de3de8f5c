"""`--format json`: {"findings": [...], "summary": {...}}."""

from __future__ import annotations

import json
from collections import Counter
from typing import TextIO


def write(result, out: TextIO) -> None:
    findings = [f.to_json() for f in result.findings]
    summary = {
        "files_checked": result.files_checked,
        "findings": len(findings),
        "by_rule": dict(Counter(f["rule"] for f in findings)),
        "by_severity": dict(Counter(f["severity"] for f in findings)),
        "by_applicability": dict(Counter(f["applicability"] for f in findings)),
        "errors": list(result.errors),
    }
    json.dump({"findings": findings, "summary": summary}, out, indent=2)
    out.write("\n")
