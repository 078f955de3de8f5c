"""Apply fixes to one file's text, one at a time, re-checking after each (ruff-style).

Every accepted fix must give text that parses and compiles, and must make its own finding
go away; the loop ends when no applicable fix is left, so a second run changes nothing.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Callable

from n1fix.engine.checker import ParseFailure, file_context, run_rules
from n1fix.engine.companions import CompanionEdit
from n1fix.engine.context import FileContext
from n1fix.orm.imports import import_map
from n1fix.rules import codemod_for, rule_by_name
from n1fix.rules._base import Applicability, Finding, Rule

MAX_PASSES = 50


def one_line(message: str) -> str:
    """Messages are promised on one line; exception texts (LibCST's) span several."""
    return " ".join(message.split())


@dataclass
class FixOutcome:
    text: str
    findings: list[Finding]  # found in the original text
    applied: list[Finding] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # one line each: a fix that was dropped
    # Edits the applied fixes need in other files (a batch method in the callee's module),
    # with the finding each belongs to.
    companions: list[tuple[CompanionEdit, Finding]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def applicable(finding: Finding, unsafe_fixes: bool) -> bool:
    if finding.applicability is Applicability.SAFE:
        return True
    return unsafe_fixes and finding.applicability is Applicability.UNSAFE


def fix_text(
    text: str,
    make_context: Callable[[str], FileContext],
    rules: list[Rule],
    *,
    unsafe_fixes: bool,
    accept: Callable[[Finding], bool] | None = None,
    review: Callable[[Finding, str, str, list[CompanionEdit]], bool] | None = None,
) -> FixOutcome:
    """Apply the applicable fixes one at a time, re-checking after each.

    `accept(finding)` may refuse a fix before it is built; `review(finding, old_text,
    new_text, companions)` sees each verified fix and decides whether it is kept (the
    interactive prompt). A refused fix is not offered again in this run.
    """
    ctx = make_context(text)
    findings = run_rules(ctx, rules)
    outcome = FixOutcome(text=text, findings=[_without_plan(f) for f in findings])
    refused: set[tuple[str, str]] = set()
    # Refused by `accept`: by identity and order among the findings with that identity, so
    # that refusing one finding does not refuse an identical one (the same call twice in a
    # line) that `accept` may take.
    declined: set[tuple[tuple[str, str], int]] = set()
    current_ctx, current = ctx, findings
    passes = 0
    # A pass tries one fix; a finding `accept` refuses costs none (each is refused once,
    # so a file with more findings than MAX_PASSES still gets its last one's fix alone).
    while passes < MAX_PASSES:
        candidates = [
            (f, identity, occurrence)
            for f, identity, occurrence in _numbered(current_ctx, current, unsafe_fixes)
            if identity not in refused and (identity, occurrence) not in declined
        ]
        if not candidates:
            return outcome
        finding, identity, occurrence = candidates[0]
        if accept is not None and not accept(finding):
            declined.add((identity, occurrence))
            continue
        passes += 1
        new_text, problem, companions = _apply_one(current_ctx, finding)
        if problem is None:
            try:
                new_ctx = _with_current_imports(make_context(new_text), new_text)
                new_findings = run_rules(new_ctx, rules)
            except ParseFailure as error:
                problem = f"the rewrite does not parse ({error})"
            else:
                before = sum(1 for f in current if applicable(f, unsafe_fixes) and _identity(current_ctx, f) == identity)
                after = sum(1 for f in new_findings if applicable(f, unsafe_fixes) and _identity(new_ctx, f) == identity)
                if after >= before:
                    problem = "the rewrite did not remove the finding"
        if problem is not None:
            refused.add(identity)
            outcome.failures.append(f"{finding.path}:{finding.line}:{finding.column}: {finding.rule}: fix dropped: {problem}")
            continue
        if review is not None and not review(finding, current_ctx.module.code, new_text, companions):
            refused.add(identity)
            continue
        outcome.text = new_text
        outcome.applied.append(_without_plan(finding))
        outcome.companions.extend((edit, outcome.applied[-1]) for edit in companions)
        current_ctx, current = new_ctx, new_findings
    outcome.failures.append(f"{ctx.display_path}: fixes did not settle after {MAX_PASSES} passes; file left unchanged")
    outcome.text = text
    outcome.applied = []
    outcome.companions = []
    return outcome


def _with_current_imports(ctx: FileContext, text: str) -> FileContext:
    """`ctx` with the imports of `text`: the surveyed ones are those of the text before
    this run's fixes, and a fix may have added one (`import asyncio`, `from sqlalchemy
    import or_`) that the next fix in the file must see."""
    try:
        tree = ast.parse(text)
    except SyntaxError:  # syntax newer than this Python's `ast` (LibCST parsed it)
        return ctx
    ctx.imports = import_map(tree, ctx.module_name, ctx.path.name == "__init__.py")
    return ctx


def _apply_one(ctx: FileContext, finding: Finding) -> tuple[str, str | None, list[CompanionEdit]]:
    """The text after one fix, or why there is none, and the edits it needs elsewhere.

    A codemod returns the new module, or (module, companion edits) when the fix also needs
    code in another file.
    """
    rule = rule_by_name(finding.rule)
    codemod = codemod_for(rule) if rule is not None else None
    if codemod is None:
        return ctx.module.code, "the rule has no codemod", []
    try:
        result = codemod(ctx, finding)
        module, companions = result if isinstance(result, tuple) else (result, [])
    except Exception as error:  # a codemod bug must cost one fix, never the run
        return ctx.module.code, one_line(f"{type(error).__name__}: {error}"), []
    new_text = module.code
    try:
        compile(new_text, ctx.display_path, "exec", dont_inherit=True)
    except SyntaxError as error:
        return ctx.module.code, f"the rewrite does not compile ({error.msg}, line {error.lineno})", []
    return new_text, None, companions


def _numbered(ctx: FileContext, findings: list[Finding], unsafe_fixes: bool):
    """The applicable findings, each with its identity and its order among the findings
    with that identity."""
    seen: dict[tuple[str, str], int] = {}
    for finding in findings:
        if applicable(finding, unsafe_fixes):
            identity = _identity(ctx, finding)
            seen[identity] = seen.get(identity, -1) + 1
            yield finding, identity, seen[identity]


def _identity(ctx: FileContext, finding: Finding) -> tuple[str, str]:
    """What a finding is about, stable while other fixes move lines around it."""
    plan = finding.plan
    node = getattr(plan, "site", None) or getattr(getattr(plan, "shape", None), "node", None)
    anchor = ctx.code(node) if node is not None else f"{finding.line}:{finding.column}"
    return finding.rule, anchor


def _without_plan(finding: Finding) -> Finding:
    from dataclasses import replace

    return replace(finding, plan=None)


__all__ = ["FixOutcome", "applicable", "fix_text", "file_context"]
