"""`# n1fix: ignore[...]` comments silence a finding and keep its fix from being applied."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from n1fix_project import RENDER_MODELS

from n1fix.engine.api import fix_source, scan_source

MODELS = RENDER_MODELS

LOOP = """
    from sqlalchemy import select

    from app.models import Project, Render


    def renders(session, projects: list[Project]):
        out = {{}}
        for project in projects:{header}
            out[project.id] = session.scalars(
                select(Render).where(Render.project_id == project.id){inline}
            ).all()
        return out
"""


def _service(tmp_path: Path, header: str = "", inline: str = "") -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(textwrap.dedent(MODELS))
    service = tmp_path / "app" / "service.py"
    service.write_text(textwrap.dedent(LOOP.format(header=header, inline=inline)))
    return service


def test_without_a_comment_the_loop_is_reported(tmp_path):
    service = _service(tmp_path)
    assert [f.rule for f in scan_source(service, service.read_text())] == [
        "query-in-loop"
    ]


def test_comment_on_the_loop_header_silences_and_keeps_the_code(tmp_path):
    service = _service(
        tmp_path,
        header="  # n1fix: ignore[query-in-loop] admin page, 3 projects at most",
    )
    text = service.read_text()
    assert scan_source(service, text) == []
    assert fix_source(service, text).text == text


def test_comment_inside_the_query_silences(tmp_path):
    service = _service(tmp_path, inline="  # n1fix: ignore")
    assert scan_source(service, service.read_text()) == []


def test_a_comment_in_capitals_silences_in_a_file_naming_n1fix_nowhere_else(tmp_path):
    # The comment's pattern ignores case; the quick test for "n1fix" before it used to
    # look for the word in lower case only, and so found no suppression here.
    service = _service(tmp_path, header="  # N1FIX: IGNORE[query-in-loop] 3 at most")
    text = service.read_text()
    assert "n1fix" not in text
    assert scan_source(service, text) == []
    assert fix_source(service, text).text == text


def test_comment_for_another_rule_does_not_silence(tmp_path):
    service = _service(tmp_path, header="  # n1fix: ignore[sequential-awaits]")
    # The query is reported, and the comment, which silences nothing, too.
    assert sorted(f.rule for f in scan_source(service, service.read_text())) == [
        "query-in-loop",
        "unused-suppression",
    ]


@pytest.mark.parametrize(
    "text, lines",
    [
        # the text names n1fix elsewhere: the comment is still found
        ("# checked by n1fix\nx = 1  # n1fix: ignore[query-in-loop] one row\n", [2]),
        ("# n1fix bench\nx = 1  #N1FIX:\tIGNORE\n", [2]),
        ("# n1fix\nx = 1  # n1fix:ignore[a, b]\n", [2]),
        ("# n1fix\nx = 1  # n1fix: ignored later\n", [2]),
        # in a string, not a comment: nothing
        ('# n1fix\ns = "# n1fix: ignore"\n', []),
        # names n1fix, no suppression: nothing (and not tokenized)
        ("# n1fix bench: one changed file\nx = 1\n", []),
        ("# n1fix: ignore-me-not\n", [1]),
        # in capitals, with no "n1fix" in lower case anywhere
        ("x = 1  # N1FIX: ignore[query-in-loop] one row\n", [1]),
        ("x = 1  # N1Fix:IGNORE\n", [1]),
        ('s = "N1FIX: ignore"\n', []),
    ],
)
def test_a_suppression_is_found_wherever_the_text_names_n1fix(
    text: str, lines: list[int]
) -> None:
    from n1fix.engine.suppressions import find_suppressions

    assert [s.line for s in find_suppressions(text)] == lines
