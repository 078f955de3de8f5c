"""What the batch rewrite names its dict and how it lays out the lookup line."""

from __future__ import annotations

import textwrap

from n1fix.engine.api import fix_source

MODELS = """
    from sqlalchemy import ForeignKey
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class ProjectPreviewBackgroundFileLink(Base):
        __tablename__ = "project_preview_background_file_link"

        id: Mapped[int] = mapped_column(primary_key=True)
        project_id: Mapped[int] = mapped_column(index=True)
        preview_background_file_id: Mapped[int] = mapped_column(index=True)
"""

SERVICE = """
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from app.models import ProjectPreviewBackgroundFileLink


    def linked(session: Session, project_id: int, file_ids: list[int]) -> list[bool]:
        found = []
        for preview_background_file_id in file_ids:
            existing = session.scalars(
                select(ProjectPreviewBackgroundFileLink).where(
                    ProjectPreviewBackgroundFileLink.project_id == project_id,
                    ProjectPreviewBackgroundFileLink.preview_background_file_id
                    == preview_background_file_id,
                )
            ).first()
            found.append(existing is not None)
        return found
"""


def _fixed(tmp_path, line_length: int) -> str:
    (tmp_path / "pyproject.toml").write_text(
        f"[project]\nname = 'x'\n\n[tool.ruff]\nline-length = {line_length}\n"
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(textwrap.dedent(MODELS))
    service = tmp_path / "app" / "service.py"
    service.write_text(textwrap.dedent(SERVICE))
    outcome = fix_source(service, service.read_text(), unsafe_fixes=True)
    return outcome.text


def test_a_long_model_name_gives_way_to_the_loops_own_name(tmp_path):
    fixed = _fixed(tmp_path, 88)
    assert "existing_by_preview_background_file_id = {}" in fixed, fixed
    assert "first_project_preview_background_file_link_by" not in fixed, fixed


def test_a_lookup_that_ends_an_overlong_line_breaks_at_its_brackets(tmp_path):
    fixed = _fixed(tmp_path, 60)
    assert (
        "        existing = existing_by_preview_background_file_id.get(\n"
        "            preview_background_file_id\n"
        "        )\n"
    ) in fixed, fixed
