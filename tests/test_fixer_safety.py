"""The fixer's safety net, in process: a codemod's bad output or crash costs one fix only.

Every rewrite is compiled before it is kept; one that does not compile, that raises, or
that leaves its own finding in place is dropped with a one-line message, the original text
is kept, and the other fixes of the file still go through.
"""

from __future__ import annotations

import sys
from pathlib import Path

import libcst as cst
import pytest
from n1fix_project import (
    SERVICE,
    TWO_LOOPS,
    TWO_LOOPS_LINES,
    UNSAFE_FIRST,
    make_project,
    many_loops,
)

import n1fix.codemods.query_in_loop as codemod
from n1fix.engine.api import fix_source, scan_source
from n1fix.rules.base import Applicability

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
    assert [(f.line, f.applicability) for f in findings] == [
        (line, Applicability.SAFE) for line in TWO_LOOPS_LINES
    ]
    outcome = fix_source(service, TWO_LOOPS)
    # Findings are applied in order; each one's line is where it was when it was fixed.
    assert [_about(f) for f in outcome.applied] == [USERS_LOOP, PROJECTS_LOOP]
    assert outcome.failures == []
    assert scan_source(service, outcome.text) == []


def test_rewrite_that_does_not_compile_is_dropped(
    service: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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


def test_rewrite_with_an_invalid_name_is_dropped(
    service: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # LibCST builds nodes without validating every token: text that cannot even be parsed.
    def bad(ctx, finding):
        return ctx.module.with_changes(
            body=[cst.SimpleStatementLine([cst.Expr(cst.Name("1x"))]), *ctx.module.body]
        )

    monkeypatch.setattr(codemod, "fix", bad)
    outcome = fix_source(service, SERVICE)
    assert outcome.text == SERVICE
    assert not outcome.changed
    assert len(outcome.failures) == 1 and _one_line(outcome.failures[0]), (
        outcome.failures
    )


def test_codemod_exception_is_dropped(
    service: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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


def test_codemod_exception_with_multiline_message_gives_one_line(
    service: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A codemod that builds a node from bad text: LibCST's ParserSyntaxError message spans
    # several lines (it quotes the code and points at the column).
    def crash(ctx, finding):
        return ctx.module.with_changes(
            body=[cst.parse_statement("x = select(Project\n"), *ctx.module.body]
        )

    monkeypatch.setattr(codemod, "fix", crash)
    outcome = fix_source(service, SERVICE)
    assert outcome.text == SERVICE
    assert len(outcome.failures) == 1
    assert _one_line(outcome.failures[0]), repr(outcome.failures[0])


def test_codemod_exception_costs_only_that_fix(
    service: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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
    assert tried == [USERS_LOOP, PROJECTS_LOOP], (
        f"a dropped fix is not retried: {tried}"
    )
    # The first loop is untouched, the second one rewritten.
    assert (
        "result[user.id] = session.scalars(select(Project).where(Project.user_id == user.id)).all()"
        in outcome.text
    )
    assert "session.get(User, project.user_id)" not in outcome.text
    compile(outcome.text, str(service), "exec", dont_inherit=True)
    # What is left is exactly the first finding.
    left = scan_source(service, outcome.text)
    assert len(left) == 1 and "users" in left[0].message


def test_uncompilable_rewrite_costs_only_that_fix(
    service: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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


def test_rewrite_that_keeps_its_finding_is_dropped(
    service: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A codemod that changes nothing would loop forever if it were accepted.
    monkeypatch.setattr(codemod, "fix", lambda ctx, finding: ctx.module)
    outcome = fix_source(service, SERVICE)
    assert outcome.text == SERVICE
    assert not outcome.changed
    assert len(outcome.failures) == 1 and _one_line(outcome.failures[0])
    assert "did not remove the finding" in outcome.failures[0]


def test_rewrite_that_only_adds_a_comment_is_dropped(
    service: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        codemod,
        "fix",
        lambda ctx, finding: cst.parse_module("# touched\n" + ctx.module.code),
    )
    outcome = fix_source(service, SERVICE)
    assert outcome.text == SERVICE
    assert not outcome.changed
    assert len(outcome.failures) == 1


def test_unsafe_fix_is_not_tried_without_unsafe_fixes(
    service: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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


def test_rule_crash_on_the_rewrite_costs_only_that_fix(
    service: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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
    assert (
        _one_line(failure)
        and "could not be checked" in failure
        and "RecursionError" in failure
    )


def test_rewrite_too_deep_to_compile_is_dropped(
    service: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    # Only the text is read from a codemod's module (LibCST takes minutes to parse this).
    deep = SimpleNamespace(code=SERVICE + "x = " + " + ".join(["1"] * 20_000) + "\n")
    monkeypatch.setattr(codemod, "fix", lambda ctx, finding: deep)
    outcome = fix_source(service, SERVICE)
    assert outcome.text == SERVICE and not outcome.changed
    [failure] = outcome.failures
    assert _one_line(failure) and "does not compile" in failure


# PEP 695 generics (Python 3.12): LibCST reads them, Python 3.11's `compile` does not.
NEWER_SYNTAX = (
    SERVICE
    + """

def first[T](items: list[T]) -> T:
    return items[0]
"""
)


@pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="the file compiles on Python 3.12+"
)
def test_file_in_newer_syntax_says_so_instead_of_blaming_the_rewrite(
    service: Path,
) -> None:
    _write(service, NEWER_SYNTAX)
    assert len(scan_source(service, NEWER_SYNTAX)) == 1  # still found
    # Unsafe: `ast` cannot read the file for its imports, so the model is not known.
    outcome = fix_source(service, NEWER_SYNTAX, unsafe_fixes=True)
    assert outcome.text == NEWER_SYNTAX and not outcome.changed
    [failure] = outcome.failures
    assert _one_line(failure), failure
    assert "the file itself does not compile on Python 3.11" in failure
    assert "rewrite does not compile" not in failure


@pytest.mark.skipif(sys.version_info < (3, 12), reason="needs Python 3.12+ to compile")
def test_file_in_newer_syntax_is_fixed_on_a_python_that_reads_it(service: Path) -> None:
    _write(service, NEWER_SYNTAX)
    outcome = fix_source(service, NEWER_SYNTAX, unsafe_fixes=True)
    assert outcome.changed and outcome.failures == []


# --- many fixes in one file --------------------------------------------------------------


def _count_rule_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    import n1fix.engine.fixer as fixer

    runs: list[int] = []
    real = fixer.run_rules

    def counted(ctx, rules):
        runs.append(1)
        return real(ctx, rules)

    monkeypatch.setattr(fixer, "run_rules", counted)
    return runs


def test_two_hundred_fixes_in_one_file_are_all_applied(
    service: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Independent fixes (one per function) go in one step, checked once: the file used to
    # be left unchanged ("did not settle after 50 passes"), each fix re-checking the file.
    text = many_loops(200)
    _write(service, text)
    runs = _count_rule_runs(monkeypatch)
    outcome = fix_source(service, text)
    assert len(outcome.findings) == 200
    assert len(outcome.applied) == 200 and outcome.failures == []
    assert len(runs) <= 3, f"{len(runs)} checks of the whole file"
    compile(outcome.text, str(service), "exec", dont_inherit=True)
    assert scan_source(service, outcome.text) == []
    assert not fix_source(service, outcome.text).changed
    # The same rewrite of each function as when it is fixed alone.
    alone = fix_source(service, many_loops(2)).text
    assert outcome.text.startswith(alone.split("\n\n\ndef owners_1")[0])


def test_many_fixes_give_the_text_of_one_fix_at_a_time(
    service: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import n1fix.engine.fixer as fixer

    text = many_loops(6)
    _write(service, text)
    together = fix_source(service, text)
    monkeypatch.setattr(fixer, "_batch_step", lambda *args: None)  # one at a time
    one_by_one = fix_source(service, text)
    assert len(together.applied) == len(one_by_one.applied) == 6
    assert together.text == one_by_one.text


# Two loops in one function interact (the second fix must see the first's names).
SAME_FUNCTION = """\
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Project, User


def both(session: Session, users: list[User], projects: list[Project]) -> None:
    by_user = {}
    for user in users:
        by_user[user.id] = session.scalars(select(Project).where(Project.user_id == user.id)).all()
    owners = {}
    for project in projects:
        owners[project.id] = session.get(User, project.user_id)
    return by_user, owners
"""


def test_fixes_in_one_function_go_one_after_the_other(
    service: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (
        SAME_FUNCTION + many_loops(2).split("from app.models import Project, User\n")[1]
    )
    _write(service, text)
    runs = _count_rule_runs(monkeypatch)
    outcome = fix_source(service, text)
    assert len(outcome.applied) == 4 and outcome.failures == []
    assert (
        len(runs) == 3
    )  # the first check; two loops of `both` with the others; the second loop of `both`
    compile(outcome.text, str(service), "exec", dont_inherit=True)
    assert scan_source(service, outcome.text) == []


def test_a_step_whose_merged_text_fails_goes_one_fix_at_a_time(
    service: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import n1fix.engine.fixer as fixer

    # Each fix alone compiles, but one leaves its finding: the merged step fails its
    # check, and the fixes are retried one at a time, costing only the bad one.
    text = many_loops(4)
    _write(service, text)

    def touch_third(ctx, finding):
        if (
            finding.plan.scope.name.value == "owners_3"
        ):  # a comment in the function, the loop kept
            before, after = ctx.module.code.split("def owners_3", 1)
            return cst.parse_module(
                before
                + "def owners_3"
                + after.replace(
                    "    result = {}\n", "    # touched\n    result = {}\n", 1
                )
            )
        return REAL_FIX(ctx, finding)

    calls: list[int] = []
    real_step = fixer._batch_step

    def spy(*args):
        step = real_step(*args)
        calls.append(step is None)
        return step

    monkeypatch.setattr(codemod, "fix", touch_third)
    monkeypatch.setattr(fixer, "_batch_step", spy)
    outcome = fix_source(service, text)
    assert calls == [True], "the merged step failed once, then one fix at a time"
    assert len(outcome.applied) == 3
    [failure] = outcome.failures
    assert "did not remove the finding" in failure
    assert "session.get(User, project.user_id)" in outcome.text.split("def owners_3")[1]
