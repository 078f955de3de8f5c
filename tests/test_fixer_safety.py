"""The fixer's safety net, in process: a codemod's bad output or crash costs one fix only.

Every rewrite is compiled before it is kept; one that does not compile, that raises, or
that leaves its own finding in place is dropped with a one-line message, the original text
is kept, and the other fixes of the file still go through.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from n1fix_project import SERVICE, TWO_LOOPS, TWO_LOOPS_LINES, UNSAFE_FIRST, make_project

import n1fix.codemods.query_in_loop as codemod
from n1fix.engine.api import fix_source, scan_source
from n1fix.rules._base import Applicability

REAL_FIX = codemod.fix


@pytest.fixture
def service(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "proj")
    return project / "app" / "service.py"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# What each finding of TWO_LOOPS is about (its message names the loop's iterable).
USERS_LOOP, PROJECTS_LOOP = "of `users`", "of `projects`"


def _about(finding) -> str:
    matches = [loop for loop in (USERS_LOOP, PROJECTS_LOOP) if loop in finding.message]
    assert len(matches) == 1, finding.message
    return matches[0]


def _one_line(message: str) -> bool:
    return bool(message.strip()) and "\n" not in message and "\r" not in message


def test_real_fix_is_applied(service: Path) -> None:
    # The baseline the other tests break: the real codemod fixes the file.
    outcome = fix_source(service, SERVICE)
    assert outcome.changed
    assert len(outcome.applied) == 1
    assert outcome.failures == []
    assert outcome.text != SERVICE
    compile(outcome.text, str(service), "exec", dont_inherit=True)
    assert fix_source(service, outcome.text).changed is False


def test_both_real_fixes_are_applied(service: Path) -> None:
    _write(service, TWO_LOOPS)
    findings = scan_source(service, TWO_LOOPS)
    assert [(f.line, f.applicability) for f in findings] == [(line, Applicability.SAFE) for line in TWO_LOOPS_LINES]
    outcome = fix_source(service, TWO_LOOPS)
    # Findings are applied in order; each one's line is where it was when it was fixed.
    assert [_about(f) for f in outcome.applied] == [USERS_LOOP, PROJECTS_LOOP]
    assert outcome.failures == []
    assert scan_source(service, outcome.text) == []


def test_rewrite_that_does_not_compile_is_dropped(service: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Parses (LibCST accepts `return` anywhere) but does not compile: 'return' outside function.
    broken = cst.parse_module("return 1\n")
    with pytest.raises(SyntaxError):
        compile(broken.code, "<test>", "exec", dont_inherit=True)
    monkeypatch.setattr(codemod, "fix", lambda ctx, finding: broken)

    outcome = fix_source(service, SERVICE)
    assert outcome.text == SERVICE
    assert outcome.changed is False
    assert outcome.applied == []
    assert len(outcome.findings) == 1  # the finding is still reported
    assert len(outcome.failures) == 1, outcome.failures
    [failure] = outcome.failures
    assert _one_line(failure), failure
    assert "query-in-loop" in failure
    assert "does not compile" in failure
    assert f":{outcome.findings[0].line}:" in failure


def test_rewrite_with_an_invalid_name_is_dropped(service: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # LibCST builds nodes without validating every token: text that cannot even be parsed.
    def bad(ctx, finding):
        return ctx.module.with_changes(body=[cst.SimpleStatementLine([cst.Expr(cst.Name("1x"))]), *ctx.module.body])

    monkeypatch.setattr(codemod, "fix", bad)
    outcome = fix_source(service, SERVICE)
    assert outcome.text == SERVICE
    assert not outcome.changed
    assert len(outcome.failures) == 1 and _one_line(outcome.failures[0]), outcome.failures


def test_codemod_exception_is_dropped(service: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(ctx, finding):
        raise KeyError("no plan for this shape")

    monkeypatch.setattr(codemod, "fix", crash)
    outcome = fix_source(service, SERVICE)
    assert outcome.text == SERVICE
    assert not outcome.changed
    assert len(outcome.failures) == 1, outcome.failures
    [failure] = outcome.failures
    assert _one_line(failure), failure
    assert "KeyError" in failure and "no plan for this shape" in failure


def test_codemod_exception_with_multiline_message_gives_one_line(service: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A codemod that builds a node from bad text: LibCST's ParserSyntaxError message spans
    # several lines (it quotes the code and points at the column).
    def crash(ctx, finding):
        return ctx.module.with_changes(body=[cst.parse_statement("x = select(Project\n"), *ctx.module.body])

    monkeypatch.setattr(codemod, "fix", crash)
    outcome = fix_source(service, SERVICE)
    assert outcome.text == SERVICE
    assert len(outcome.failures) == 1
    assert _one_line(outcome.failures[0]), repr(outcome.failures[0])


def test_codemod_exception_costs_only_that_fix(service: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(service, TWO_LOOPS)
    first_line, _ = TWO_LOOPS_LINES
    tried: list[str] = []

    def crash_on_first(ctx, finding):
        tried.append(_about(finding))
        if _about(finding) == USERS_LOOP:
            raise RuntimeError("codemod bug")
        return REAL_FIX(ctx, finding)

    monkeypatch.setattr(codemod, "fix", crash_on_first)
    outcome = fix_source(service, TWO_LOOPS)
    assert [_about(f) for f in outcome.applied] == [PROJECTS_LOOP]
    assert len(outcome.failures) == 1 and "codemod bug" in outcome.failures[0]
    assert f":{first_line}:" in outcome.failures[0]
    assert tried == [USERS_LOOP, PROJECTS_LOOP], f"a dropped fix is not retried: {tried}"
    # The first loop is untouched, the second one rewritten.
    assert "result[user.id] = session.scalars(select(Project).where(Project.user_id == user.id)).all()" in outcome.text
    assert "session.get(User, project.user_id)" not in outcome.text
    compile(outcome.text, str(service), "exec", dont_inherit=True)
    # What is left is exactly the first finding.
    left = scan_source(service, outcome.text)
    assert len(left) == 1 and "users" in left[0].message


def test_uncompilable_rewrite_costs_only_that_fix(service: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(service, TWO_LOOPS)

    def break_second(ctx, finding):
        if _about(finding) == PROJECTS_LOOP:
            return cst.parse_module(ctx.module.code + "return 1\n")
        return REAL_FIX(ctx, finding)

    monkeypatch.setattr(codemod, "fix", break_second)
    outcome = fix_source(service, TWO_LOOPS)
    assert [_about(f) for f in outcome.applied] == [USERS_LOOP]
    assert len(outcome.failures) == 1 and "does not compile" in outcome.failures[0]
    assert "return 1" not in outcome.text
    assert "session.get(User, project.user_id)" in outcome.text
    compile(outcome.text, str(service), "exec", dont_inherit=True)


def test_rewrite_that_keeps_its_finding_is_dropped(service: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A codemod that changes nothing would loop forever if it were accepted.
    monkeypatch.setattr(codemod, "fix", lambda ctx, finding: ctx.module)
    outcome = fix_source(service, SERVICE)
    assert outcome.text == SERVICE
    assert not outcome.changed
    assert len(outcome.failures) == 1 and _one_line(outcome.failures[0])
    assert "did not remove the finding" in outcome.failures[0]


def test_rewrite_that_only_adds_a_comment_is_dropped(service: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codemod, "fix", lambda ctx, finding: cst.parse_module("# touched\n" + ctx.module.code))
    outcome = fix_source(service, SERVICE)
    assert outcome.text == SERVICE
    assert not outcome.changed
    assert len(outcome.failures) == 1


def test_unsafe_fix_is_not_tried_without_unsafe_fixes(service: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(service, UNSAFE_FIRST)
    calls: list[int] = []

    def spy(ctx, finding):
        calls.append(finding.line)
        return REAL_FIX(ctx, finding)

    monkeypatch.setattr(codemod, "fix", spy)
    outcome = fix_source(service, UNSAFE_FIRST)
    assert calls == [] and not outcome.changed and outcome.failures == []
    outcome = fix_source(service, UNSAFE_FIRST, unsafe_fixes=True)
    assert len(calls) == 1 and outcome.changed


def test_rule_crash_on_the_rewrite_costs_only_that_fix(service: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The rules re-run on the rewritten text; a failure there leaves the fix unverified.
    from n1fix.rules import rule_by_name

    rule = rule_by_name("query-in-loop")
    real_check = rule.check

    def check(self, ctx):
        if ".in_(" in ctx.module.code:
            raise RecursionError("maximum recursion depth exceeded")
        return real_check(self, ctx)

    monkeypatch.setattr(rule, "check", check)
    outcome = fix_source(service, SERVICE)
    assert outcome.text == SERVICE and not outcome.changed
    [failure] = outcome.failures
    assert _one_line(failure) and "could not be checked" in failure and "RecursionError" in failure


def test_rewrite_too_deep_to_compile_is_dropped(service: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    # Only the text is read from a codemod's module (LibCST takes minutes to parse this).
    deep = SimpleNamespace(code=SERVICE + "x = " + " + ".join(["1"] * 20_000) + "\n")
    monkeypatch.setattr(codemod, "fix", lambda ctx, finding: deep)
    outcome = fix_source(service, SERVICE)
    assert outcome.text == SERVICE and not outcome.changed
    [failure] = outcome.failures
    assert _one_line(failure) and "does not compile" in failure
