"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

    ::error file=app/service.py,line=11,col=20,endLine=11,endColumn=87,title=n1fix (query-in-loop)::message

Severity high is an `error`, medium a `warning`, low a `notice`. Values are escaped as
the Actions runner unescapes them: `%`, CR and LF in the message; also `:` and `,` in
properties.
"""

from __future__ import annotations

from typing import TextIO

from n1fix.rules.base import Severity

COMMANDS = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(finding) -> str:
    properties = {
        "file": finding.path.replace("\\", "/"),
        "line": finding.line,
        "col": finding.column,
        "endLine": finding.end_line,
        "endColumn": finding.end_column,
        "title": f"n1fix ({finding.rule})",
    }
    joined = ",".join(
        f"{name}={escape_property(str(value))}" for name, value in properties.items()
    )
    return f"::{COMMANDS[finding.severity]} {joined}::{escape_data(finding.message)}"


def write(result, out: TextIO) -> None:
    for finding in result.findings:
        out.write(annotation(finding) + "\n")
