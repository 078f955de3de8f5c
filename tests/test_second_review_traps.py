"""Counter-examples found by the second review of the injected-argument, imperative
mapping and collection-annotation proofs: each is a fact the proof takes for shown
when the code does not show it. Each was a strict xfail until the proof was tightened."""

from __future__ import annotations

from pathlib import Path

import pytest

from n1fix.orm.injected_args import injected_count, injection
from tests.test_imperative_mappings import CATALOG
from tests.test_injected_args import CLASS_FORM, WRAPPER_FORM, _project
from tests.test_model_index import build


def test_project_wraps_lookalike_is_not_functools(tmp_path: Path) -> None:
    # A project `wraps` that retries (or caches) the call: the wrapper runs the
    # function through it, so the batch method would retry once for all items.
    source = WRAPPER_FORM.replace("import functools", "from app.util import wraps")
    source = source.replace("@functools.wraps(fn)", "@wraps(fn)")
    path = _project(tmp_path, source)
    (tmp_path / "app" / "util.py").write_text("def wraps(fn):\n    return retrying\n")
    assert injection("db_injector", path, tmp_path) is None


def test_decorator_rebound_after_its_def(tmp_path: Path) -> None:
    # `db_injector = audited(db_injector)`: what `@db_injector` means at run time is
    # the audited one, not the def that was read.
    source = WRAPPER_FORM + "\n\n    db_injector = audited(db_injector)\n"
    path = _project(tmp_path, source)
    assert injection("db_injector", path, tmp_path) is None


def test_call_rebound_in_class_body(tmp_path: Path) -> None:
    source = CLASS_FORM.replace(
        "    def db_injector(func):",
        "    Injector.__call__ = retrying(Injector.__call__)\n\n\n    def db_injector(func):",
    )
    path = _project(tmp_path, source)
    assert injection("db_injector", path, tmp_path) is None


def test_class_decorator_or_metaclass(tmp_path: Path) -> None:
    source = CLASS_FORM.replace(
        "class Injector(_Wrapper[P, R]):",
        "class Injector(_Wrapper[P, R], metaclass=Caching):",
    )
    path = _project(tmp_path, source)
    assert injection("db_injector", path, tmp_path) is None


def test_injected_value_from_a_recording_call(tmp_path: Path) -> None:
    # `db = provide()` is accepted whatever `provide` does; here it appends to an audit
    # trail (the golden trap_decorator_records_calls, with the append moved into a
    # helper): a batch method records one call where the loop recorded one per item.
    source = WRAPPER_FORM.replace("db = provide()", "db = record_and_provide()")
    path = _project(tmp_path, source)
    (tmp_path / "app" / "inject.py").write_text(
        (tmp_path / "app" / "inject.py").read_text()
        + "\n\nAUDIT = []\n\n\ndef record_and_provide():\n"
        + "    AUDIT.append(1)\n    return object()\n"
    )
    assert injected_count("db_injector", path, tmp_path) is None
    assert injection("db_injector", path, tmp_path).per_call == (
        "record_and_provide()",
    )


def test_imperative_column_key_renames_the_attribute(tmp_path: Path) -> None:
    # `Column("group_id", ..., key="gid")`: the mapped attribute is `gid`;
    # `Member.group_id` does not exist.
    source = CATALOG.replace(
        'Column("group_id", types.UnicodeText, ForeignKey("group.id")),',
        'Column("group_id", types.UnicodeText, ForeignKey("group.id"), key="gid"),',
    )
    index = build(tmp_path, {"catalog/__init__.py": "", "catalog/models.py": source})
    member = index.get("catalog.models.Member")
    assert member is None or member.column("group_id") is None


def test_imperative_column_shadowed_by_a_property(tmp_path: Path) -> None:
    # SQLAlchemy leaves a table column unmapped when the class already has a
    # descriptor of that name (Mapper._should_exclude): `Group.title` is the property.
    source = CATALOG.replace(
        "        name: orm.Mapped[str]\n",
        "        name: orm.Mapped[str]\n\n"
        "        @property\n        def title(self):\n            return self.name\n",
    )
    index = build(tmp_path, {"catalog/__init__.py": "", "catalog/models.py": source})
    group = index.get("catalog.models.Group")
    assert group is None or group.column("title") is None


def test_set_annotation_over_a_relationship_collection(tmp_path: Path) -> None:
    # `settings: set[Setting] = group.settings` is the relationship's collection: its
    # `.add` sets group_id on the next autoflush, which the lookup filters on; with a
    # repeated id the loop finds the setting once, a batch for every repeat. Before the
    # annotation was read as "a set, no model", `.add` was suspected of committing.
    from tests.test_model_method_writes import MODELS, _findings

    models = (
        MODELS.replace("def save(self):", "def add(self):")
        .replace(
            "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column",
            "from sqlalchemy.orm import (\n"
            "        DeclarativeBase, Mapped, mapped_column, relationship\n    )",
        )
        .replace(
            "        key: Mapped[str] = mapped_column(unique=True)\n",
            "        key: Mapped[str] = mapped_column(unique=True)\n"
            "        settings: Mapped[set[Setting]] = relationship(collection_class=set)\n",
        )
        .replace(
            'group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))',
            'group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"))',
        )
    )
    (finding,) = _findings(
        tmp_path,
        """
        def adopt(group: Group, ids: list[int]) -> list[int]:
            settings: set[Setting] = group.settings
            adopted = []
            for setting_id in ids:
                setting = session.scalars(
                    select(Setting).where(
                        Setting.id == setting_id, Setting.group_id.is_(None)
                    )
                ).first()
                if setting is not None:
                    settings.add(setting)
                    adopted.append(setting_id)
            return adopted
    """,
        models=models,
    )
    assert finding.applicability.value != "safe"
