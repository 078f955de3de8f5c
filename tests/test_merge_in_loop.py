"""`session.merge(M(pk=...))` per item: when the rows the merges look up may be loaded
before the loop (write-in-loop's merge fix), and when not."""

from __future__ import annotations

import textwrap
from pathlib import Path

from n1fix.engine.api import fix_source, scan_source

MODELS = """
    from sqlalchemy import ForeignKey, String, UniqueConstraint
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class Tag(Base):
        __tablename__ = "tags"
        id: Mapped[str] = mapped_column(String(36), primary_key=True)
        name: Mapped[str]


    class Label(Base):
        __tablename__ = "labels"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(unique=True)


    class Folder(Base):
        __tablename__ = "folders"
        id: Mapped[int] = mapped_column(primary_key=True)
        parent_id: Mapped[int | None] = mapped_column(ForeignKey("folders.id"))


    class Setting(Base):
        __tablename__ = "settings"
        owner: Mapped[str] = mapped_column(primary_key=True)
        key: Mapped[str] = mapped_column(primary_key=True)
        value: Mapped[str]


    class Built(Base):
        __tablename__ = "built"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str]

        def __init__(self, name, **kwargs):
            super().__init__(id=hash(name), name=name, **kwargs)


    class Pair(Base):
        __tablename__ = "pairs"
        a: Mapped[int] = mapped_column(primary_key=True)
        b: Mapped[int] = mapped_column(primary_key=True)
        __table_args__ = (UniqueConstraint("a", "b"),)
"""

HEADER = """\
from sqlalchemy.orm import Session

from app.models import Built, Folder, Label, Pair, Setting, Tag

"""


def _write(tmp_path: Path, body: str) -> Path:
    files = {
        "pyproject.toml": "[project]\nname = 'app'\n",
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/service.py": HEADER + textwrap.dedent(body),
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path / "app" / "service.py"


def _finding(tmp_path: Path, body: str):
    service = _write(tmp_path, body)
    found = [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "write-in-loop"
    ]
    assert len(found) == 1, [f.message for f in found]
    return found[0]


def test_a_string_key_of_the_item_is_a_safe_fix(tmp_path):
    finding = _finding(
        tmp_path,
        """
        def rename(session: Session, names: dict[str, str]):
            for tag_id, name in names.items():
                session.merge(Tag(id=tag_id, name=name))
        """,
    )
    assert finding.applicability.value == "safe", finding.message


def test_a_model_with_its_own_init_gets_no_fix(tmp_path):
    finding = _finding(
        tmp_path,
        """
        def build(session: Session, ids: list[int]):
            for built_id in ids:
                session.merge(Built(id=built_id, name="x"))
        """,
    )
    assert finding.applicability.value == "none"
    assert "`Built.__init__` builds the object" in finding.message


def test_a_unique_column_makes_the_fix_unsafe(tmp_path):
    finding = _finding(
        tmp_path,
        """
        def rename(session: Session, names: dict[int, str]):
            for label_id, name in names.items():
                session.merge(Label(id=label_id, name=name))
        """,
    )
    assert finding.applicability.value == "unsafe"
    assert "unique constraint on `name`" in finding.message


def test_a_foreign_key_to_its_own_table_makes_the_fix_unsafe(tmp_path):
    finding = _finding(
        tmp_path,
        """
        def move(session: Session, parents: dict[int, int]):
            for folder_id, parent_id in parents.items():
                session.merge(Folder(id=folder_id, parent_id=parent_id))
        """,
    )
    assert finding.applicability.value == "unsafe"
    assert "foreign key to its own table" in finding.message


def test_two_varying_key_columns_use_tuple_in_an_unsafe_fix(tmp_path):
    service = _write(
        tmp_path,
        """
        def store(session: Session, rows: list[tuple[str, str, str]]):
            for owner, key, value in rows:
                session.merge(Setting(owner=owner, key=key, value=value))
        """,
    )
    (finding,) = [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "write-in-loop"
    ]
    assert finding.applicability.value == "unsafe"
    assert "tuple_" in finding.message
    outcome = fix_source(service, service.read_text(), unsafe_fixes=True)
    assert "tuple_(Setting.owner, Setting.key).in_(setting_keys)" in outcome.text
    assert "setting_keys = [(owner, key) for owner, key, value in rows]" in outcome.text
    assert "from sqlalchemy import select, tuple_" in outcome.text


def test_a_key_set_after_the_object_is_built_gets_no_fix(tmp_path):
    finding = _finding(
        tmp_path,
        """
        def rename(session: Session, names: dict[str, str], ids: dict[str, str]):
            for name, value in names.items():
                tag = Tag(name=value)
                tag.id = ids[name]
                session.merge(tag)
        """,
    )
    assert finding.applicability.value == "none"
    assert "set after the object is built" in finding.message


def test_an_object_from_elsewhere_gets_no_fix(tmp_path):
    finding = _finding(
        tmp_path,
        """
        def keep(session: Session, tags: list[Tag]):
            for tag in tags:
                session.merge(tag)
        """,
    )
    assert finding.applicability.value == "none"
    assert "not built in the loop" in finding.message


def test_a_one_shot_iterable_gets_no_fix(tmp_path):
    finding = _finding(
        tmp_path,
        """
        def rename(session: Session, pairs):
            for tag_id, name in iter(pairs):
                session.merge(Tag(id=tag_id, name=name))
        """,
    )
    assert finding.applicability.value == "none"
    assert "may not give the same items" in finding.message


def test_a_loop_that_does_more_gets_no_fix(tmp_path):
    finding = _finding(
        tmp_path,
        """
        def rename(session: Session, names: dict[str, str], seen: list):
            for tag_id, name in names.items():
                seen.append(tag_id)
                session.merge(Tag(id=tag_id, name=name))
        """,
    )
    assert finding.applicability.value == "none"
    assert "does more than build and merge" in finding.message


def test_a_key_the_same_for_every_item_is_not_reported(tmp_path):
    service = _write(
        tmp_path,
        """
        def store(session: Session, values: list[str]):
            for value in values:
                session.merge(Tag(id="only", name=value))
        """,
    )
    found = [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "write-in-loop"
    ]
    assert found == []


def test_query_api_code_gets_a_query_and_the_fix_settles(tmp_path):
    service = _write(
        tmp_path,
        """
        def store(session: Session, owner: str, values: dict[str, str]):
            first = session.query(Tag).first()
            for key, value in sorted(values.items()):
                session.merge(Setting(owner=owner, key=key, value=value))
            return first
        """,
    )
    outcome = fix_source(service, service.read_text())
    assert outcome.changed, outcome.failures
    assert (
        "session.query(Setting)\n"
        "        .filter(Setting.owner == owner, Setting.key.in_(setting_keys))\n"
        "        .all()"
    ) in outcome.text
    assert "del existing_settings" in outcome.text
    again = fix_source(service, outcome.text)
    assert not again.changed


def test_an_awaited_merge_awaits_the_query(tmp_path):
    service = _write(
        tmp_path,
        """
        async def rename(session, names: dict[str, str]):
            for tag_id, name in names.items():
                await session.merge(Tag(id=tag_id, name=name))
        """,
    )
    outcome = fix_source(service, service.read_text())
    assert outcome.changed, outcome.failures
    assert (
        "(await session.scalars(select(Tag).where(Tag.id.in_(tag_ids)))).all()"
        in outcome.text
    )
