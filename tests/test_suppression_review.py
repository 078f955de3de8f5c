"""Suppression comments are reviewed too: stale ones are reported (`unused-suppression`,
like ruff's RUF100), and with `--require-reason` so are ones without a reason."""

from __future__ import annotations

import json
from pathlib import Path

from n1fix_project import PYPROJECT, SERVICE, SERVICE_LINE, make_project, n1fix

from test_cli import finding_lines

LOOP_HEADER = "    for user in users:\n"
HEADER_LINE = SERVICE.splitlines().index(LOOP_HEADER.rstrip("\n")) + 1


def with_header_comment(comment: str) -> str:
    return SERVICE.replace(LOOP_HEADER, f"    for user in users:  {comment}\n")


def findings(project: Path, *args: str) -> list[tuple[str, int, str]]:
    run = n1fix("scan", "app", *args, cwd=project)
    assert run.code in (0, 1), run
    return [(m["rule"], int(m["line"]), m["msg"]) for m in finding_lines(run.out)]


def test_a_used_suppression_is_not_reported(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        with_header_comment("# n1fix: ignore[query-in-loop] 3 users at most"),
    )
    run = n1fix("scan", "app", cwd=project)
    assert run.code == 0, run
    assert finding_lines(run.out) == []


def test_a_suppression_left_after_the_fix_is_reported(tmp_path: Path) -> None:
    # Nothing queries in this loop any more; the comment stayed.
    stale = with_header_comment(
        "# n1fix: ignore[query-in-loop] 3 users at most"
    ).replace(
        "session.scalars(select(Project).where(Project.user_id == user.id)).all()", "[]"
    )
    project = make_project(tmp_path / "p", stale)
    [(rule, line, message)] = findings(project)
    assert (rule, line) == ("unused-suppression", HEADER_LINE)
    assert "`# n1fix: ignore[query-in-loop]` silences nothing" in message


def test_a_file_without_any_loop_is_still_reviewed(tmp_path: Path) -> None:
    # No rule's gate lets this file through; the stale comment is found all the same.
    project = make_project(
        tmp_path / "p", "VALUE = 1  # n1fix: ignore[query-in-loop] legacy\n"
    )
    assert findings(project) == [
        (
            "unused-suppression",
            1,
            "`# n1fix: ignore[query-in-loop]` silences nothing here; remove it",
        )
    ]


def test_only_the_idle_names_of_a_list_are_reported(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        with_header_comment(
            "# n1fix: ignore[query-in-loop, lazy-load-in-loop, no-such-rule] bounded"
        ),
    )
    [(rule, line, message)] = findings(project)
    assert (rule, line) == ("unused-suppression", HEADER_LINE)
    assert message.startswith(
        "`lazy-load-in-loop`, `no-such-rule` in `# n1fix: ignore["
    )
    assert "unknown rule: no-such-rule" in message
    assert "`query-in-loop`," not in message.split(" in ")[0]


def test_text_in_a_string_is_not_a_suppression(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        SERVICE + '\nHELP = "# n1fix: ignore[query-in-loop] silences a finding"\n',
    )
    assert [(rule, line) for rule, line, _ in findings(project)] == [
        ("query-in-loop", SERVICE_LINE)
    ]


def test_unused_suppression_can_be_ignored_like_any_rule(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", "VALUE = 1  # n1fix: ignore\n")
    assert [rule for rule, _, _ in findings(project)] == ["unused-suppression"]
    assert findings(project, "--ignore", "unused-suppression") == []


# --- --require-reason ----------------------------------------------------------------------


def test_a_suppression_without_a_reason_is_allowed_by_default(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p", with_header_comment("# n1fix: ignore[query-in-loop]")
    )
    assert findings(project) == []


def test_require_reason_reports_a_suppression_without_one(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p", with_header_comment("# n1fix: ignore[query-in-loop]")
    )
    [(rule, line, message)] = findings(project, "--require-reason")
    assert (rule, line) == ("suppression-without-reason", HEADER_LINE)
    assert "gives no reason" in message
    # It still silences the query: the comment is the finding, not the loop.
    assert findings(project, "--require-reason", "--select", "query-in-loop") == [
        (rule, line, message)
    ]


def test_require_reason_accepts_any_reason(tmp_path: Path) -> None:
    for comment in (
        "# n1fix: ignore[query-in-loop] 3 users at most",
        "# n1fix: ignore[query-in-loop] -- admin page",
    ):
        project = make_project(
            tmp_path / comment.split()[-1], with_header_comment(comment)
        )
        assert findings(project, "--require-reason") == [], comment


def test_require_reason_in_pyproject(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        with_header_comment("# n1fix: ignore"),
        pyproject=PYPROJECT + "\n[tool.n1fix]\nrequire-reason = true\n",
    )
    assert [(rule, line) for rule, line, _ in findings(project)] == [
        ("suppression-without-reason", HEADER_LINE)
    ]


def test_rules_index_marks_the_opt_in_rule(tmp_path: Path) -> None:
    run = n1fix("rules", cwd=tmp_path)
    lines = {line.split()[0]: line for line in run.out.splitlines()}
    assert lines["suppression-without-reason"].endswith("(opt-in: select it by name)")
    assert "opt-in" not in lines["unused-suppression"]


# --- the fix ---------------------------------------------------------------------------------

GOLDEN_CASE = (
    Path(__file__).resolve().parent.parent
    / "golden"
    / "unused_suppression"
    / "fixed_loop_keeps_its_comment"
)


def test_golden_fix_changes_comments_only() -> None:
    import ast

    before = (GOLDEN_CASE / "before.py").read_text(encoding="utf-8")
    after = (GOLDEN_CASE / "after.py").read_text(encoding="utf-8")
    assert before != after
    assert ast.dump(ast.parse(before)) == ast.dump(ast.parse(after))


def test_apply_deletes_a_stale_comment_and_keeps_the_code(tmp_path: Path) -> None:
    stale = (
        "VALUE = 1  # n1fix: ignore[query-in-loop] legacy\n# n1fix: ignore\nOTHER = 2\n"
    )
    project = make_project(tmp_path / "p", stale)
    run = n1fix("apply", "app", cwd=project)
    assert run.code == 0, run
    assert (project / "app" / "service.py").read_text(
        encoding="utf-8"
    ) == "VALUE = 1\nOTHER = 2\n"
    assert n1fix("scan", "app", cwd=project).code == 0


def test_apply_removes_only_the_idle_names(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "p",
        with_header_comment(
            "# n1fix: ignore[lazy-load-in-loop, query-in-loop, nope] 3 users at most"
        ),
    )
    assert (
        n1fix(
            "apply",
            "app",
            "--select",
            "query-in-loop,lazy-load-in-loop,unused-suppression",
            cwd=project,
        ).code
        == 0
    )
    assert (project / "app" / "service.py").read_text(
        encoding="utf-8"
    ) == with_header_comment("# n1fix: ignore[query-in-loop] 3 users at most")


def test_a_name_of_a_rule_left_out_of_the_run_is_only_an_unsafe_fix(
    tmp_path: Path,
) -> None:
    # query-in-loop is ignored in this run: its suppression looks idle but may not be.
    project = make_project(
        tmp_path / "p",
        with_header_comment("# n1fix: ignore[query-in-loop] 3 users at most"),
    )
    run = n1fix(
        "scan", "app", "--ignore", "query-in-loop", "--format", "json", cwd=project
    )
    [finding] = json.loads(run.out)["findings"]
    assert (finding["rule"], finding["applicability"]) == (
        "unused-suppression",
        "unsafe",
    )
    assert n1fix("apply", "app", "--ignore", "query-in-loop", cwd=project).code == 0
    assert (project / "app" / "service.py").read_text(
        encoding="utf-8"
    ) == with_header_comment("# n1fix: ignore[query-in-loop] 3 users at most")
