"""A project reached through a symlink: every file is surveyed once, under the name
discovery gave it, though import resolution spells the modules it finds through the
project's real folder (n1fix/engine/same_files.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from n1fix.engine.discovery import discover, find_project_root
from n1fix.engine.runner import _survey_all
from n1fix.engine.same_files import as_discovered

FILES = {
    "pyproject.toml": "[project]\nname = 'app'\nversion = '0'\n",
    "app/__init__.py": "",
    "app/models.py": """
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


        class Base(DeclarativeBase):
            pass


        class Render(Base):
            __tablename__ = "render"
            id: Mapped[int] = mapped_column(primary_key=True)
    """,
    "app/views.py": """
        from app.models import Render


        def renders(session, ids):
            return [session.get(Render, i) for i in ids]
    """,
}


def _linked_project(tmp_path: Path) -> Path:
    real = tmp_path / "real"
    for name, text in FILES.items():
        (real / name).parent.mkdir(parents=True, exist_ok=True)
        (real / name).write_text(textwrap.dedent(text))
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    return link


def test_a_symlinked_project_is_surveyed_once_per_file(tmp_path: Path) -> None:
    link = _linked_project(tmp_path)
    root = find_project_root([link])
    files = discover([link], root=root).files
    assert all(str(path).startswith(str(link)) for path in files)

    surveys = _survey_all(files, root)

    assert sorted(surveys) == sorted(files)
    views = surveys[link / "app" / "views.py"]
    assert link / "app" / "models.py" in views.resolved


def test_paths_no_discovered_file_is_spelled_as_are_kept(tmp_path: Path) -> None:
    link = _linked_project(tmp_path)
    real = tmp_path / "real"
    discovered = as_discovered([link / "app" / "views.py"])

    assert discovered(real / "app" / "views.py") == link / "app" / "views.py"
    assert discovered(real / "app" / "models.py") == real / "app" / "models.py"
    assert as_discovered([real / "app" / "views.py"])(real / "app" / "views.py") == (
        real / "app" / "views.py"
    )
