"""Apply fixes to one file's text in steps, re-checking after each (ruff-style).

A step is either every fix that does not interact with another (see `batch`), merged and
checked once, or one fix. Every accepted step must give text that parses and compiles,
and must make each of its fixes' findings go away; the loop ends when no applicable fix
is left, so a second run changes nothing.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from typing import Callable

import libcst as cst

from n1fix.cst.companions import CompanionEdit
from n1fix.cst.name_binding import new_unbound_reads
from n1fix.engine.checker import ParseFailure, file_context, hand_over, run_rules
from n1fix.orm.imports import import_map
from n1fix.rules import codemod_for, rule_by_name
from n1fix.rules.base import Applicability, Finding, Rule
from n1fix.rules.context import FileContext

MAX_PASSES = 50


def one_line(message: str) -> str:
    """Messages are promised on one line; exception texts (LibCST's) span several."""
    return " ".join(message.split())


@dataclass
class FixOutcome:
    text: str
    findings: list[Finding]  # found in the original text
    applied: list[Finding] = field(default_factory=list)
    failures: list[str] = field(
        default_factory=list
    )  # one line each: a fix that was dropped
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
    """Apply the applicable fixes, re-checking the text after each step.

    A step applies every fix that does not interact with another (see `batch`) at once,
    then re-parses, compiles and re-checks once; fixes that interact, or a step whose
    check fails, go one at a time. `accept(finding)` may refuse a fix before it is built;
    `review(finding, old_text, new_text, companions)` sees each verified fix and decides
    whether it is kept (the interactive prompt): both take fixes one at a time. A refused
    fix is not offered again in this run.
    """
    from n1fix.engine.batch import forget

    try:
        return _fix_text(
            text,
            make_context,
            rules,
            unsafe_fixes=unsafe_fixes,
            accept=accept,
            review=review,
        )
    finally:
        forget()


def _fix_text(text, make_context, rules, *, unsafe_fixes, accept, review) -> FixOutcome:
    ctx = make_context(text)
    findings = run_rules(ctx, rules)
    outcome = FixOutcome(text=text, findings=[_without_plan(f) for f in findings])
    if any(applicable(f, unsafe_fixes) for f in findings):
        unverifiable = _does_not_compile_here(text, ctx)
        if unverifiable is not None:
            outcome.failures.append(unverifiable)
            return outcome
    refused: set[tuple[str, str]] = set()
    # Refused by `accept`: by identity and order among the findings with that identity, so
    # that refusing one finding does not refuse an identical one (the same call twice in a
    # line) that `accept` may take.
    declined: set[tuple[tuple[str, str], int]] = set()
    current_ctx, current = ctx, findings
    batching = accept is None and review is None
    # A pass applies, or tries and drops, at least one fix; a finding `accept` refuses costs
    # none (each is refused once, so a file with many findings still gets its last one's fix
    # alone). Beyond one pass per fix found, fixes keep making new findings: they do not settle.
    limit = MAX_PASSES + sum(1 for f in findings if applicable(f, unsafe_fixes))
    passes = 0
    while passes < limit:
        candidates = [
            (f, identity, occurrence)
            for f, identity, occurrence in _numbered(current_ctx, current, unsafe_fixes)
            if identity not in refused and (identity, occurrence) not in declined
        ]
        if not candidates:
            return outcome
        built = None
        if batching and len(candidates) > 1:
            step = _batch_step(
                current_ctx,
                current,
                [c[0] for c in candidates],
                make_context,
                rules,
                unsafe_fixes,
                outcome,
                refused,
            )
            if (
                step is None
            ):  # the merged text failed its check: one fix at a time from now on
                batching = False
            elif step[0] == "applied":
                passes += 1
                current_ctx, current = step[1], step[2]
                continue
            else:
                built = step[1]
                if built is None:
                    passes += 1
                    continue  # every fix tried failed (and was refused)
        if built is not None:
            finding, occurrence = built[0], 0
            identity = _identity(current_ctx, finding)
        else:
            finding, identity, occurrence = candidates[0]
        if accept is not None and not accept(finding):
            declined.add((identity, occurrence))
            continue
        passes += 1
        new_text, problem, companions = (
            built[1] if built is not None else _apply_one(current_ctx, finding)
        )
        if problem is None:
            new_ctx, new_findings, problem = _check(make_context, rules, new_text)
            if problem is None and not _removed(
                current_ctx, current, new_ctx, new_findings, [finding], unsafe_fixes
            ):
                problem = "the rewrite did not remove the finding"
        if problem is not None:
            refused.add(identity)
            outcome.failures.append(
                f"{finding.path}:{finding.line}:{finding.column}: {finding.rule}: fix dropped: {problem}"
            )
            continue
        if review is not None and not review(
            finding, current_ctx.text, new_text, companions
        ):
            refused.add(identity)
            continue
        outcome.text = new_text
        outcome.applied.append(_without_plan(finding))
        outcome.companions.extend((edit, outcome.applied[-1]) for edit in companions)
        current_ctx, current = new_ctx, new_findings
    outcome.failures.append(
        f"{ctx.display_path}: fixes did not settle after {passes} passes; file left unchanged"
    )
    outcome.text = text
    outcome.applied = []
    outcome.companions = []
    return outcome


def _does_not_compile_here(text: str, ctx: FileContext) -> str | None:
    """Why no rewrite of this file can be checked, when the file itself does not compile on
    this Python (LibCST reads newer syntax, such as 3.12's generics, which `compile` here
    rejects): say that once, rather than that each rewrite does not compile."""
    try:
        compile(text, ctx.display_path, "exec", dont_inherit=True)
    except SyntaxError as error:
        version = ".".join(map(str, sys.version_info[:2]))
        return one_line(
            f"{ctx.display_path}: fixes not applied: the file itself does not compile on Python {version} "
            f"({error.msg}, line {error.lineno}), so no rewrite of it can be checked; run n1fix on the "
            "Python the project uses"
        )
    except (ValueError, RecursionError, MemoryError):
        return f"{ctx.display_path}: fixes not applied: the file itself does not compile (too deeply nested)"
    return None


def _check(make_context, rules: list[Rule], new_text: str):
    """The context and findings of a rewritten text, or why it cannot be checked."""
    try:
        new_ctx = _with_current_imports(make_context(new_text), new_text)
        return new_ctx, run_rules(new_ctx, rules), None
    except ParseFailure as error:
        return None, None, f"the rewrite does not parse ({error})"
    except Exception as error:  # noqa: BLE001 - a rule that fails on the new text: the fix is not verified
        return (
            None,
            None,
            one_line(
                f"the rewrite could not be checked ({type(error).__name__}: {error})"
            ),
        )


def _removed(
    ctx, findings, new_ctx, new_findings, applied: list[Finding], unsafe_fixes: bool
) -> bool:
    """Did the fixes remove their findings? (Several findings may share an identity: the
    same query text in two functions; each applied fix must remove one.)"""
    from collections import Counter

    wanted = Counter(_identity(ctx, f) for f in applied)
    before = Counter(_identity(ctx, f) for f in findings if applicable(f, unsafe_fixes))
    after = Counter(
        _identity(new_ctx, f) for f in new_findings if applicable(f, unsafe_fixes)
    )
    return all(
        after[identity] <= before[identity] - count
        for identity, count in wanted.items()
    )


def _batch_step(
    ctx, findings, candidates, make_context, rules, unsafe_fixes, outcome, refused
):
    """Apply the candidates that do not interact together, checked once.

    Returns ("applied", new_ctx, new_findings); ("one", built) when fewer than two fixes
    could go together (`built`: the first one's finding and `_apply_one` result, or None
    when every fix tried failed); None when the merged text fails its check.
    """
    from n1fix.engine.batch import Batch

    batch = Batch.start(ctx.module)
    if batch is None:  # `ast` cannot read it (newer syntax): one at a time
        return _one_of(ctx, candidates)
    chosen: list[Finding] = []
    first = None
    for finding in candidates:
        home = batch.free_home(finding.line)
        if home is None:
            continue
        module, problem, companions = _build(ctx, finding)
        if problem is not None:
            refused.add(_identity(ctx, finding))
            outcome.failures.append(
                f"{finding.path}:{finding.line}:{finding.column}: {finding.rule}: fix dropped: {problem}"
            )
            continue
        if first is None:
            first = (finding, module, companions)
        if not companions and batch.add(home, module):
            chosen.append(finding)
    if len(chosen) < 2:
        if first is not None:
            finding, module, companions = first
            return ("one", (finding, _finish(ctx, module, companions)))
        return _one_of(ctx, [c for c in candidates if _identity(ctx, c) not in refused])
    merged = batch.merged()
    try:
        compile(merged, ctx.display_path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if _unbound_problem(merged, ctx) is not None:
        return None  # each fix alone says which name
    new_ctx, new_findings, problem = _check(make_context, rules, merged)
    if problem is not None or not _removed(
        ctx, findings, new_ctx, new_findings, chosen, unsafe_fixes
    ):
        return None
    outcome.text = merged
    outcome.applied.extend(_without_plan(f) for f in chosen)
    return ("applied", new_ctx, new_findings)


def _one_of(ctx, candidates):
    """No batch: the first candidate, built the usual way by the caller."""
    return (
        ("one", None)
        if not candidates
        else ("one", (candidates[0], _apply_one(ctx, candidates[0])))
    )


def _with_current_imports(ctx: FileContext, text: str) -> FileContext:
    """`ctx` with the imports of `text`: the surveyed ones are those of the text before
    this run's fixes, and a fix may have added one (`import asyncio`, `from sqlalchemy
    import or_`) that the next fix in the file must see."""
    try:
        tree = ast.parse(text)
    except (
        SyntaxError,
        ValueError,
        RecursionError,
        MemoryError,
    ):  # syntax newer than this Python's `ast` (LibCST parsed it), or too deep for it
        return ctx
    ctx.imports = import_map(tree, ctx.module_name, ctx.path.name == "__init__.py")
    return ctx


def _apply_one(
    ctx: FileContext, finding: Finding
) -> tuple[str, str | None, list[CompanionEdit]]:
    """The text after one fix, or why there is none, and the edits it needs elsewhere."""
    module, problem, companions = _build(ctx, finding)
    if problem is not None:
        return ctx.text, problem, []
    return _finish(ctx, module, companions)


def _build(ctx: FileContext, finding: Finding):
    """The module after one fix (or why there is none) and the edits it needs elsewhere.

    A codemod returns the new module, or (module, companion edits) when the fix also needs
    code in another file.
    """
    rule = rule_by_name(finding.rule)
    codemod = codemod_for(rule) if rule is not None else None
    if codemod is None:
        return None, "the rule has no codemod", []
    try:
        result = codemod(ctx, finding)
        module, companions = result if isinstance(result, tuple) else (result, [])
    except Exception as error:  # a codemod bug must cost one fix, never the run
        return None, one_line(f"{type(error).__name__}: {error}"), []
    return module, None, companions


def _finish(
    ctx: FileContext, module, companions
) -> tuple[str, str | None, list[CompanionEdit]]:
    """The text of a fix's module, compiled."""
    from n1fix.engine.batch import module_text

    try:
        new_text = (
            module_text(module) if isinstance(module, cst.Module) else module.code
        )
    except RecursionError:
        return ctx.text, "the rewrite is too deeply nested to print", []
    problem = _compile_problem(new_text, ctx) or _unbound_problem(new_text, ctx)
    return (new_text, None, companions) if problem is None else (ctx.text, problem, [])


def _compile_problem(new_text: str, ctx: FileContext) -> str | None:
    try:
        compile(new_text, ctx.display_path, "exec", dont_inherit=True)
    except SyntaxError as error:
        return f"the rewrite does not compile ({error.msg}, line {error.lineno})"
    except (ValueError, RecursionError, MemoryError) as error:
        return one_line(
            f"the rewrite does not compile ({type(error).__name__}: {error})"
        )
    return None


def _unbound_problem(new_text: str, ctx: FileContext) -> str | None:
    """A name the rewrite reads where it is not bound (`compile()` lets these through)."""
    try:
        return new_unbound_reads(ctx.module, _reparsed(new_text, ctx))
    except (cst.ParserSyntaxError, RecursionError) as error:
        return one_line(
            f"the rewrite does not parse again ({type(error).__name__}: {error})"
        )


def _reparsed(text: str, ctx: FileContext):
    """The rewrite as the file will hold it (a codemod's tree may share nodes), parsed
    with the defaults of the text before. When the text's own defaults are those, the
    tree is the one the re-check of the rewrite parses: it is handed over to it."""
    from n1fix.cst.parsing import parse_module

    module = parse_module(text)
    if _defaults(module) != _defaults(ctx.module):
        return parse_module(text, config=ctx.module.config_for_parsing)
    hand_over(text, module)
    return module


def _defaults(module: cst.Module) -> tuple:
    """What `Module.config_for_parsing` passes to a parse (the rest is inferred alike)."""
    return (module.encoding, module.default_indent, module.default_newline)


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
    node = getattr(plan, "site", None) or getattr(
        getattr(plan, "shape", None), "node", None
    )
    anchor = ctx.code(node) if node is not None else f"{finding.line}:{finding.column}"
    return finding.rule, anchor


def _without_plan(finding: Finding) -> Finding:
    from dataclasses import replace

    return replace(finding, plan=None)


__all__ = ["FixOutcome", "applicable", "fix_text", "file_context"]
