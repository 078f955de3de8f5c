"""The precise pass: parse a file once with LibCST and run every gated rule on it."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from n1fix.engine.context import FileContext, ProjectContext
from n1fix.rules._base import Finding, Rule


class ParseFailure(Exception):
    """The file is not valid Python; `str()` says where."""


def parse(text: str) -> cst.Module:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        message = " ".join(error.message.split())
        raise ParseFailure(f"syntax error at line {error.raw_line}, column {error.raw_column + 1}: {message}") from None


def file_context(path: Path, display: str, text: str, module_name: str, imports: dict[str, str], project: ProjectContext) -> FileContext:
    return FileContext(
        path=path,
        display_path=display,
        module=parse(text),
        module_name=module_name,
        imports=imports,
        project=project,
    )


def run_rules(ctx: FileContext, rules: list[Rule]) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        findings.extend(rule.check(ctx))
    findings.sort(key=Finding.sort_key)
    return findings
