"""The precise pass: parse a file once with LibCST and run every gated rule on it."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from n1fix.cst.parsing import parse_module
from n1fix.cst.tree_index import index_tree
from n1fix.engine.suppressions import apply_suppressions
from n1fix.rules.base import Finding, Rule
from n1fix.rules.context import FileContext, ProjectContext


class ParseFailure(Exception):
    """The file is not valid Python; `str()` says where."""


# A module handed from `apply`'s check of a rewrite's names to the re-check of that same
# text (`hand_over`), so that the rewrite is parsed once, not twice; taken by the next
# `parse` of that text only, so no two contexts share a tree.
_handed: list[tuple[str, cst.Module]] = []


def parse(text: str) -> cst.Module:
    if _handed:
        handed_text, module = _handed.pop()
        if handed_text == text:
            return module
    try:
        return parse_module(text)
    except cst.ParserSyntaxError as error:
        raise ParseFailure(_syntax_message(text, error)) from None


def hand_over(text: str, module: cst.Module) -> None:
    """Let the next `parse(text)` return `module`, a fresh parse of `text` that nothing
    else keeps."""
    _handed[:] = [(text, module)]


def _syntax_message(text: str, error: cst.ParserSyntaxError) -> str:
    """CPython's message and position, which users know from tracebacks; LibCST's otherwise."""
    try:
        compile(text, "<file>", "exec", dont_inherit=True)
    except SyntaxError as py_error:
        if py_error.lineno:
            column = f", column {py_error.offset}" if py_error.offset else ""
            return f"syntax error at line {py_error.lineno}{column}: {py_error.msg}"
    except (ValueError, RecursionError, MemoryError):
        pass
    message = " ".join(error.message.split())
    return f"syntax error at line {error.raw_line}, column {error.raw_column + 1}: {message}"


def file_context(
    path: Path,
    display: str,
    text: str,
    module_name: str,
    imports: dict[str, str],
    project: ProjectContext,
) -> FileContext:
    return FileContext(
        path=path,
        display_path=display,
        module=parse(text),
        source=text,
        module_name=module_name,
        imports=imports,
        project=project,
    )


def run_rules(ctx: FileContext, rules: list[Rule]) -> list[Finding]:
    findings: list[Finding] = []
    index_tree(ctx.module)
    for rule in rules:
        findings.extend(rule.check(ctx))
    findings, used = apply_suppressions(findings, ctx.text)
    # Rules about the suppression comments themselves see what each comment silenced, and
    # which rules ran on this file.
    ran = frozenset(rule.NAME for rule in rules)
    for rule in rules:
        review = getattr(rule, "review_suppressions", None)
        if review is not None:
            findings.extend(review(ctx, used, ran))
    findings.sort(key=Finding.sort_key)
    return findings
