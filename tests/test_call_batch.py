"""The fix for queries one call away: a batch variant of the callee, called once.

What the new methods look like is held by golden cases (reviewed after files); these tests
hold the decisions around them: which calls get a fix, which do not and why, the reuse of
an existing variant, and the two-file change (the caller requires the callee's module).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from n1fix_project import n1fix

from n1fix.config import Config
from n1fix.engine.runner import run

MODELS = """
    from sqlalchemy import ForeignKey
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class Project(Base):
        __tablename__ = "projects"
        id: Mapped[int] = mapped_column(primary_key=True)
        archived: Mapped[bool]


    class Chain(Base):
        __tablename__ = "chains"
        id: Mapped[int] = mapped_column(primary_key=True)


    class Render(Base):
        __tablename__ = "renders"
        id: Mapped[int] = mapped_column(primary_key=True)
        project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
        chain_id: Mapped[int | None] = mapped_column(ForeignKey("chains.id"))
        archived: Mapped[bool]
"""

DAL = """
    import functools
    import logging

    from sqlalchemy import select, update
    from sqlalchemy.orm import Session

    from app.models import Render

    log = logging.getLogger(__name__)


    class RendersDAL:
        @staticmethod
        def by_project(session: Session, project_id: int, limit: int = 10) -> list[Render]:
            return list(
                session.scalars(select(Render).where(Render.project_id == project_id).order_by(Render.id).limit(limit))
            )

        @staticmethod
        def live_by_project(session: Session, project_id: int) -> list[Render]:
            return list(session.scalars(select(Render).where(Render.project_id == project_id, Render.archived.is_(False))))

        @staticmethod
        def by_chain(session: Session, chain_id: int) -> list[Render]:
            return list(session.scalars(select(Render).where(Render.chain_id == chain_id).order_by(Render.id)))

        @staticmethod
        def logged_by_project(session: Session, project_id: int) -> list[Render]:
            log.info("loading renders of %s", project_id)
            return list(session.scalars(select(Render).where(Render.project_id == project_id)))

        @staticmethod
        @functools.cache
        def cached_by_project(session: Session, project_id: int) -> list[Render]:
            return list(session.scalars(select(Render).where(Render.project_id == project_id)))

        @staticmethod
        def archive(session: Session, render_id: int) -> None:
            session.execute(update(Render).where(Render.id == render_id).values(archived=True))
            session.commit()

        @staticmethod
        def unlink(session: Session, render_id: int) -> None:
            session.execute(update(Render).where(Render.id == render_id).values(chain_id=None))
"""


def _project(tmp_path: Path, service: str, dal: str = DAL) -> Path:
    files = {
        "pyproject.toml": "[project]\nname = 'app'\n",
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/dal.py": dal,
        "app/service.py": service,
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path


def _run(root: Path, *, fix: bool = False):
    result = run(
        [root / "app" / "service.py"], root, Config(cache=False), jobs=1, fix=fix
    )
    assert not result.errors
    return result


def _only(root: Path):
    (finding,) = _run(root).findings
    return finding


def test_the_fix_adds_the_batch_method_to_the_dal_and_calls_it_once(tmp_path):
    root = _project(
        tmp_path,
        """
        from app.dal import RendersDAL


        def gallery(session, projects):
            return {project.id: RendersDAL.by_project(session, project.id, limit=5) for project in projects}
    """,
    )
    finding = _only(root)
    assert finding.applicability.value == "safe"
    assert "add `RendersDAL.by_projects()` next to it" in finding.message
    result = _run(root, fix=True)
    changes = {change.path.name: change for change in result.changes}
    assert set(changes) == {"service.py", "dal.py"}
    assert changes["service.py"].requires == {root / "app" / "dal.py"}
    assert [f.line for f in changes["dal.py"].companion_for] == [finding.line]
    assert (
        "renders_by_project = RendersDAL.by_projects(session, project_ids, limit=5)"
        in changes["service.py"].new_text
    )
    assert "def by_projects(" in changes["dal.py"].new_text


def test_apply_writes_both_files_and_a_second_run_changes_nothing(tmp_path):
    root = _project(
        tmp_path,
        """
        from app.dal import RendersDAL


        def gallery(session, projects):
            return {project.id: RendersDAL.by_project(session, project.id) for project in projects}
    """,
    )
    first = n1fix("apply", "app/service.py", cwd=root)
    assert first.code == 0, first.err
    assert first.err_lines[-4:] == [
        "note: app/dal.py gained the batch methods that the fixes at app/service.py:6 call",
        "app/dal.py: batch methods for 1 fix in other files",
        "app/service.py: 1 fix",
        "Fixed 1 finding in 2 files.",
    ]
    dal = (root / "app" / "dal.py").read_text()
    assert dal.count("def by_projects(") == 1
    second = n1fix("apply", "app/service.py", cwd=root)
    assert second.code == 0
    assert (root / "app" / "dal.py").read_text() == dal
    assert n1fix("scan", "app", cwd=root).code == 0


def test_two_callers_in_one_run_share_one_new_method(tmp_path):
    root = _project(
        tmp_path,
        """
        from app.dal import RendersDAL


        def gallery(session, projects):
            return {project.id: RendersDAL.by_project(session, project.id) for project in projects}


        def feed(session, projects):
            out = []
            for project in projects:
                out.extend(RendersDAL.by_project(session, project.id))
            return out
    """,
    )
    result = _run(root, fix=True)
    dal = next(c for c in result.changes if c.path.name == "dal.py")
    assert dal.new_text.count("def by_projects(") == 1
    assert len(dal.companion_for) == 2


def test_an_existing_variant_in_n1fix_form_is_reused(tmp_path):
    dal = (
        DAL
        + """
        @staticmethod
        def live_by_projects(session: Session, project_ids: list[int]) -> dict[int, list[Render]]:
            rows = session.scalars(select(Render).where(Render.project_id.in_(project_ids), Render.archived.is_(False)))
            grouped = {}
            for render in rows:
                grouped.setdefault(render.project_id, []).append(render)
            return {project_id: grouped.get(project_id, []) for project_id in project_ids}
    """
    )
    root = _project(
        tmp_path,
        """
        from app.dal import RendersDAL


        def gallery(session, projects):
            return [RendersDAL.live_by_project(session, project.id) for project in projects]
    """,
        dal=textwrap.dedent(DAL)
        + textwrap.indent(textwrap.dedent(dal[len(DAL) :]), "    "),
    )
    finding = _only(root)
    assert (
        "call the existing `RendersDAL.live_by_projects()` once for all keys"
        in finding.message
    )
    result = _run(root, fix=True)
    assert [c.path.name for c in result.changes] == ["service.py"]


def test_an_existing_variant_of_another_shape_is_named_not_guessed(tmp_path):
    dal = textwrap.dedent(DAL) + textwrap.indent(
        textwrap.dedent("""
        @staticmethod
        def live_by_projects(session: Session, project_ids: list[int]) -> list[Render]:
            return list(session.scalars(select(Render).where(Render.project_id.in_(project_ids))))
    """),
        "    ",
    )
    root = _project(
        tmp_path,
        """
        from app.dal import RendersDAL


        def gallery(session, projects):
            return [RendersDAL.live_by_project(session, project.id) for project in projects]
    """,
        dal=dal,
    )
    finding = _only(root)
    assert finding.applicability.value == "none"
    assert (
        "`live_by_projects` exists next to it, but n1fix cannot tell that it returns a dict by `project_id`"
        in finding.message
    )


def test_a_callee_with_side_effects_gets_no_fix(tmp_path):
    root = _project(
        tmp_path,
        """
        from app.dal import RendersDAL


        def gallery(session, projects):
            return [RendersDAL.logged_by_project(session, project.id) for project in projects]
    """,
    )
    finding = _only(root)
    assert finding.applicability.value == "none"
    assert "`logged_by_project` does more than run its query" in finding.message


def test_a_cached_callee_gets_no_fix(tmp_path):
    root = _project(
        tmp_path,
        """
        from app.dal import RendersDAL


        def gallery(session, projects):
            return [RendersDAL.cached_by_project(session, project.id) for project in projects]
    """,
    )
    finding = _only(root)
    assert finding.applicability.value == "none"
    assert "decorated with `@functools.cache`" in finding.message


def test_a_callee_that_commits_gets_an_unsafe_bulk_variant(tmp_path):
    """Its statement then its commit: the bulk variant commits once for all keys, which
    changes what a failure part-way leaves committed (`write_commits`)."""
    root = _project(
        tmp_path,
        """
        from app.dal import RendersDAL


        def archive_all(session, renders):
            for render in renders:
                RendersDAL.archive(session, render.id)
    """,
    )
    finding = _only(root)
    assert finding.applicability.value == "unsafe"
    assert "`archive` commits after each call" in finding.fix_note


def test_a_loop_that_writes_a_column_the_callee_reads_gets_no_fix(tmp_path):
    root = _project(
        tmp_path,
        """
        from app.dal import RendersDAL


        def gallery(session, renders, projects):
            out = {}
            for project in projects:
                for render in renders:
                    render.archived = True
                out[project.id] = RendersDAL.live_by_project(session, project.id)
            return out
    """,
    )
    finding = _only(root)
    assert finding.applicability.value == "none"
    assert "assigns `.archived`, a column the query reads" in finding.message


def test_another_argument_that_changes_per_item_blocks_the_fix(tmp_path):
    root = _project(
        tmp_path,
        """
        from app.dal import RendersDAL


        def gallery(session, projects):
            return [RendersDAL.by_project(session, project.id, limit=project.id % 3) for project in projects]
    """,
    )
    finding = _only(root)
    assert finding.applicability.value == "none"
    assert "the argument `project.id % 3` also changes per item" in finding.message


def test_an_argument_that_calls_code_makes_the_fix_unsafe(tmp_path):
    root = _project(
        tmp_path,
        """
        from app.dal import RendersDAL


        def gallery(session, projects, settings):
            return [RendersDAL.by_project(session, project.id, limit=settings.page_size()) for project in projects]
    """,
    )
    finding = _only(root)
    assert finding.applicability.value == "unsafe"
    assert (
        "`settings.page_size()` would be evaluated once instead of once per item"
        in finding.message
    )


def test_a_nullable_key_at_the_call_site_makes_the_fix_unsafe(tmp_path):
    root = _project(
        tmp_path,
        """
        from app.dal import RendersDAL
        from app.models import Render


        def siblings(session, renders: list[Render]):
            return [RendersDAL.by_chain(session, render.chain_id) for render in renders]
    """,
    )
    finding = _only(root)
    assert finding.applicability.value == "unsafe"
    assert "`Render.chain_id` is nullable and the key may be None" in finding.message


def test_a_write_call_replaces_its_loop_only_when_the_loop_does_nothing_else(tmp_path):
    root = _project(
        tmp_path,
        """
        from app.dal import RendersDAL


        def unlink_all(session, renders):
            for render in renders:
                RendersDAL.unlink(session, render.id)


        def unlink_and_count(session, renders):
            unlinked = 0
            for render in renders:
                RendersDAL.unlink(session, render.id)
                unlinked += 1
            return unlinked
    """,
    )
    alone, mixed = _run(root).findings
    assert alone.applicability.value == "safe"
    assert (
        "add `RendersDAL.unlink_for_render_ids()` next to it and call it once for all keys, in place of the loop"
        in alone.message
    )
    assert mixed.applicability.value == "none"
    assert "the loop does more than this call" in mixed.message


def test_a_third_party_callee_is_not_reported(tmp_path):
    root = _project(
        tmp_path,
        """
        import json


        def dumps(projects):
            return [json.dumps(project.id) for project in projects]
    """,
    )
    assert _run(root).findings == []


def test_a_string_key_makes_a_read_batch_unsafe_not_a_write_batch(tmp_path):
    """The read's batch matches rows to labels in a dict (the column's collation may
    match others in SQL); the write's batch matches them in SQL, as each call did."""
    models = MODELS + textwrap.indent(
        textwrap.dedent(
            """

            class Label(Base):
                __tablename__ = "labels"
                id: Mapped[int] = mapped_column(primary_key=True)
                name: Mapped[str] = mapped_column(unique=True)
                archived: Mapped[bool]
            """
        ),
        "    ",
    )
    dal = """
        from sqlalchemy import select, update
        from sqlalchemy.orm import Session

        from app.models import Label


        class LabelsDAL:
            @staticmethod
            def by_name(session: Session, name: str) -> Label | None:
                return session.scalars(select(Label).where(Label.name == name)).first()

            @staticmethod
            def archive(session: Session, name: str) -> None:
                session.execute(update(Label).where(Label.name == name).values(archived=True))
    """
    root = _project(
        tmp_path,
        """
        from app.dal import LabelsDAL


        def found(session, names: list[str]):
            return [LabelsDAL.by_name(session, name) for name in names]


        def archive_all(session, names: list[str]):
            for name in names:
                LabelsDAL.archive(session, name)
    """,
        dal,
    )
    (root / "app" / "models.py").write_text(textwrap.dedent(models))
    read, write = sorted(_run(root).findings, key=lambda f: f.line)
    assert read.applicability.value == "unsafe", read.message
    assert read.fix_note == (
        "`Label.name` is compared as a string: the database's collation (case, "
        "trailing spaces) may match other rows than Python"
    )
    assert write.applicability.value == "safe", write.message
