"""Queries one call away: a loop calling a project function that runs a keyed query."""

from __future__ import annotations

import textwrap
from pathlib import Path

from n1fix_project import RENDER_MODELS

from n1fix.config import Config
from n1fix.engine.runner import run

MODELS = RENDER_MODELS

DAL = """
    from sqlalchemy import select

    from app.models import Render


    class RendersDAL:
        def __init__(self, session):
            self.session = session

        def by_project(self, project_id):
            return self.session.scalars(select(Render).where(Render.project_id == project_id)).all()

        def everything(self, limit):
            return self.session.scalars(select(Render).limit(limit)).all()
"""


def _project(tmp_path: Path, service: str) -> Path:
    files = {
        "pyproject.toml": "[project]\nname = 'app'\n",
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/dal/__init__.py": "from app.dal.renders import RendersDAL\n",
        "app/dal/renders.py": DAL,
        "app/service.py": service,
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path


def _findings(root: Path):
    result = run([root / "app" / "service.py"], root, Config(cache=False), jobs=1)
    assert not result.errors
    return result.findings


def test_call_through_a_package_reexport_is_reported_at_the_call(tmp_path):
    root = _project(
        tmp_path,
        """
        from app.dal import RendersDAL


        def previews(session, projects):
            dal = RendersDAL(session)
            return {p.id: RendersDAL.by_project(dal, p.id) for p in projects}
    """,
    )
    # RendersDAL.by_project(dal, p.id): called through the class, `self` passed by hand,
    # is not matched (the arguments shift); a plain unresolvable call is not guessed at.
    assert _findings(root) == []


def test_self_method_call_in_a_loop(tmp_path):
    root = _project(
        tmp_path,
        """
        from sqlalchemy import select

        from app.models import Render


        class Dashboard:
            def __init__(self, session):
                self.session = session

            def renders_of(self, project_id):
                return self.session.scalars(select(Render).where(Render.project_id == project_id)).all()

            def cards(self, projects):
                return [self.renders_of(project.id) for project in projects]
    """,
    )
    (finding,) = _findings(root)
    assert finding.line == 15  # the dedented text starts with an empty line
    assert "`self.renders_of()` queries `Render`" in finding.message
    assert "add `Dashboard.renders_of_projects()` next to it" in finding.message
    assert finding.applicability.value == "safe"


def test_dal_method_imported_from_package_and_argument_from_the_item(tmp_path):
    root = _project(
        tmp_path,
        """
        from app.dal import RendersDAL


        def previews(dal: RendersDAL, projects):
            out = {}
            for project in projects:
                out[project.id] = dal.by_project(project.id)
            return out


        def same_key_every_time(session, projects, project_id):
            dal = RendersDAL(session)
            return [dal.by_project(project_id) for _ in projects]
    """,
    )
    # `dal.by_project(...)` goes through an instance whose class n1fix does not track:
    # not resolved, so not reported (no guessing).
    assert _findings(root) == []


def test_module_function_called_per_item_names_the_callee_and_a_batch_name(tmp_path):
    root = _project(
        tmp_path,
        """
        from sqlalchemy import select

        from app.models import Render


        def renders_for_project(session, project_id):
            return session.scalars(select(Render).where(Render.project_id == project_id)).all()


        def gallery(session, projects):
            return [renders_for_project(session, project.id) for project in projects]


        def not_per_item(session, projects, project_id):
            return [renders_for_project(session, project_id) for _ in projects]
    """,
    )
    (finding,) = _findings(root)
    assert finding.line == 12
    assert "service.py:7" in finding.message
    assert "add `renders_for_projects()` next to it" in finding.message
    assert finding.applicability.value == "safe"


def test_a_call_that_runs_only_under_a_loop_invariant_condition_keeps_it_for_the_batch(
    tmp_path,
):
    """`renders_for_project(session, project.id, owner.id) if owner else []`: the batch
    call reads `owner.id` before the loop, so it runs under `if owner:` too (an owner of
    None never reaches `.id`); a condition that changes per item cannot go with it."""
    from n1fix.engine.api import fix_source

    root = _project(
        tmp_path,
        """
        from sqlalchemy import select

        from app.models import Render


        def renders_for_project(session, project_id, owner_id):
            return session.scalars(
                select(Render).where(Render.project_id == project_id, Render.id != owner_id)
            ).all()


        def gallery(session, projects, owner):
            return [renders_for_project(session, project.id, owner.id) if owner else [] for project in projects]


        def per_item_condition(session, projects, owner):
            return [renders_for_project(session, project.id, owner.id) if project.id and owner else [] for project in projects]
    """,
    )
    guarded, per_item = _findings(root)
    assert guarded.applicability.value == "safe", guarded.message
    assert per_item.applicability.value == "none"
    assert "runs only when `project.id and owner`" in per_item.message
    service = root / "app" / "service.py"
    text = fix_source(service, service.read_text()).text
    assert (
        "    renders_by_project = {}\n    if owner:\n        renders_by_project = renders_for_projects("
        in text
    ), text
    compile(text, "service.py", "exec")
