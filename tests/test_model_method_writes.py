"""Commits hidden in model methods (`group.save()` of a CRUD mixin): a commit in the loop."""

from __future__ import annotations

import textwrap
from pathlib import Path

from n1fix.engine.api import scan_source

MODELS = """
    from sqlalchemy import ForeignKey
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    from app.db import session


    class CRUDMixin:
        def save(self):
            session.add(self)
            session.commit()
            return self


    class Base(DeclarativeBase):
        pass


    class Group(CRUDMixin, Base):
        __tablename__ = "groups"
        id: Mapped[int] = mapped_column(primary_key=True)
        key: Mapped[str] = mapped_column(unique=True)


    class Setting(CRUDMixin, Base):
        __tablename__ = "settings"
        id: Mapped[int] = mapped_column(primary_key=True)
        group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
        value: Mapped[str]
"""


SERVICE_HEADER = """\
from sqlalchemy import select, update

from app.db import session
from app.models import Group, Setting

"""


def _findings(
    tmp_path: Path, body: str, rule: str = "query-in-loop", models: str = MODELS
):
    files = {
        "pyproject.toml": "[project]\nname = 'app'\n",
        "app/__init__.py": "",
        "app/db.py": "session = None\n",
        "app/models.py": models,
        "app/service.py": SERVICE_HEADER + textwrap.dedent(body),
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    service = tmp_path / "app" / "service.py"
    return [f for f in scan_source(service, service.read_text()) if f.rule == rule]


def test_a_loop_saving_the_queried_model_gets_no_fix(tmp_path):
    (finding,) = _findings(
        tmp_path,
        """
        def rename(groups: list[Group]):
            for group in groups:
                setting = session.scalars(select(Setting).where(Setting.group_id == group.id)).first()
                setting.value = group.key
                setting.save()
    """,
    )
    assert finding.applicability.value == "none"
    assert (
        "the loop calls `setting.save()`, which commits (`CRUDMixin.save`)"
        in finding.message
    )


def test_a_new_object_saved_per_item_is_a_commit_too(tmp_path):
    (finding,) = _findings(
        tmp_path,
        """
        def copy(groups: list[Group]):
            for group in groups:
                count = session.scalars(select(Setting).where(Setting.group_id == group.id)).all()
                clone = Group(key=group.key + str(len(count)))
                clone.save()
    """,
    )
    assert finding.applicability.value == "none"


def test_an_object_of_unknown_class_with_a_committing_method_name_is_only_unsafe(
    tmp_path,
):
    (finding,) = _findings(
        tmp_path,
        """
        def publish(groups: list[Group], outbox):
            for group in groups:
                settings = session.scalars(select(Setting).where(Setting.group_id == group.id)).all()
                outbox.save()
    """,
    )
    assert finding.applicability.value == "unsafe"
    assert (
        "`outbox.save()`, which may be `CRUDMixin.save` and commits" in finding.message
    )


def test_a_set_of_models_is_no_model_whose_method_writes(tmp_path):
    # `groups.add(group)` on `groups: set[Group]` is the set's own `add` (ckan's
    # package_membership_list_save), though a model method of that name would commit.
    models = MODELS.replace("def save(self):", "def add(self):")
    (finding,) = _findings(
        tmp_path,
        """
        def found(keys: list[str]) -> set[Group]:
            groups: set[Group] = set()
            for key in keys:
                group = session.scalars(select(Group).where(Group.key == key)).first()
                groups.add(group)
            return groups
    """,
        models=models,
    )
    assert "groups.add()" not in finding.message
    assert finding.applicability.value != "none"


def test_write_in_loop_treats_a_model_save_as_a_commit(tmp_path):
    (finding,) = _findings(
        tmp_path,
        """
        def touch(groups: list[Group]):
            for group in groups:
                session.execute(update(Setting).where(Setting.group_id == group.id).values(value="x"))
                group.save()
    """,
        rule="write-in-loop",
    )
    assert finding.applicability.value == "none"
    assert (
        "the loop calls `group.save()`, which commits (`CRUDMixin.save`)"
        in finding.message
    )


RELATED_MODELS = """
    from sqlalchemy import ForeignKey
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

    from app.db import session


    class CRUDMixin:
        @classmethod
        def create(cls, **kw):
            instance = cls(**kw)
            session.add(instance)
            session.commit()
            return instance

        def save(self):
            session.add(self)
            session.commit()
            return self

        def stage(self):
            session.add(self)
            return self


    class Base(DeclarativeBase):
        pass


    class Group(CRUDMixin, Base):
        __tablename__ = "groups"
        id: Mapped[int] = mapped_column(primary_key=True)
        key: Mapped[str] = mapped_column(unique=True)
        settings: Mapped[list["Setting"]] = relationship()


    class Setting(CRUDMixin, Base):
        __tablename__ = "settings"
        id: Mapped[int] = mapped_column(primary_key=True)
        group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
        value: Mapped[str]
"""


def _lazy_load_findings(tmp_path: Path, body: str):
    files = {
        "pyproject.toml": "[project]\nname = 'app'\n",
        "app/__init__.py": "",
        "app/db.py": "session = None\n",
        "app/models.py": RELATED_MODELS,
        "app/service.py": SERVICE_HEADER + textwrap.dedent(body),
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    service = tmp_path / "app" / "service.py"
    return [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "lazy-load-in-loop"
    ]


def test_lazy_load_in_a_loop_that_saves_each_row_gets_no_fix(tmp_path):
    """`group.save()` commits: every loaded collection expires, the option would load
    them again per item (zou's `comment.save()` after rewriting `acknowledgements`)."""
    (finding,) = _lazy_load_findings(
        tmp_path,
        """
        def rename(key: str):
            groups = session.scalars(select(Group).where(Group.key == key)).all()
            for group in groups:
                group.key = str(len(group.settings))
                group.save()
    """,
    )
    assert finding.applicability.value == "none"
    assert "`group.save()`, which commits (`CRUDMixin.save`)" in finding.fix_note


def test_lazy_load_in_a_loop_calling_a_function_of_the_module_that_commits_gets_no_fix(
    tmp_path,
):
    """The loop calls a function of this module whose body commits, here through a model's
    `create` (zou's `add_metadata_descriptor()` per descriptor)."""
    (finding,) = _lazy_load_findings(
        tmp_path,
        """
        def add_setting(group_id: int, value: str):
            return Setting.create(group_id=group_id, value=value)


        def copy(key: str):
            groups = session.scalars(select(Group).where(Group.key == key)).all()
            for group in groups:
                add_setting(group.id, str(len(group.settings)))
    """,
    )
    assert finding.applicability.value == "none"
    assert "`add_setting(...)`, which commits" in finding.fix_note


def test_lazy_load_in_a_loop_whose_calls_only_stage_keeps_its_fix(tmp_path):
    (finding,) = _lazy_load_findings(
        tmp_path,
        """
        def add_setting(group_id: int, value: str):
            return Setting(group_id=group_id, value=value).stage()


        def copy(key: str):
            groups = session.scalars(select(Group).where(Group.key == key)).all()
            for group in groups:
                add_setting(group.id, str(len(group.settings)))
                group.stage()
    """,
    )
    assert finding.applicability.value == "safe"


def test_lazy_load_in_a_loop_that_saves_each_row_of_a_query_object_gets_no_fix(
    tmp_path,
):
    """The rows' model is the query's, also when the loop iterates the Query itself."""
    (finding,) = _lazy_load_findings(
        tmp_path,
        """
        def rename(key: str):
            groups = Group.query.filter(Group.key == key)
            for group in groups:
                group.key = str(len(group.settings))
                group.save()
    """,
    )
    assert finding.applicability.value == "none"
    assert "`group.save()`, which commits (`CRUDMixin.save`)" in finding.fix_note
