"""Which key columns the database compares as strings (under a collation Python does not
follow), and that a key of another type keeps its safe batch."""

from __future__ import annotations

import textwrap

import pytest

from n1fix.analysis.string_collation import is_string_type
from n1fix.engine.api import scan_source


@pytest.mark.parametrize(
    "type_name",
    [
        "String",
        "sa.String",
        "sqlalchemy.types.Unicode",
        "Text",
        "UnicodeText",
        "VARCHAR",
        "CITEXT",
        "str",
        "models.CharField",
        "EmailField",
        "SlugField",
        "URLField",
    ],
)
def test_string_types(type_name):
    assert is_string_type(type_name)


@pytest.mark.parametrize(
    "type_name", ["Enum", "sa.Enum", "Integer", "UUID", "Boolean", "int", None, ""]
)
def test_exact_or_unknown_types_are_not_string_types(type_name):
    assert not is_string_type(type_name)


MODELS = """
    import enum

    from sqlalchemy import Enum, String, select
    from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


    class Base(DeclarativeBase):
        pass


    class Kind(enum.Enum):
        photo = "photo"
        video = "video"


    class Preset(Base):
        __tablename__ = "presets"

        id: Mapped[int] = mapped_column(primary_key=True)
        kind: Mapped[Kind] = mapped_column(Enum(Kind), unique=True)
        name: Mapped[str] = mapped_column(String(40), unique=True)


    class Upload(Base):
        __tablename__ = "uploads"

        id: Mapped[int] = mapped_column(primary_key=True)
        kind: Mapped[Kind] = mapped_column(Enum(Kind))


    def by_kind(session: Session, uploads: list[Upload]):
        return [
            session.scalars(select(Preset).where(Preset.kind == upload.kind)).first()
            for upload in uploads
        ]


    def by_name(session: Session, names: list[str]):
        return [
            session.scalars(select(Preset).where(Preset.name == name)).first()
            for name in names
        ]
"""


def test_an_enum_key_stays_safe_a_string_key_does_not(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    path = tmp_path / "presets.py"
    path.write_text(textwrap.dedent(MODELS))
    kind, name = sorted(
        (f for f in scan_source(path, path.read_text()) if f.rule == "query-in-loop"),
        key=lambda f: f.line,
    )
    assert kind.applicability.value == "safe", kind.message
    assert name.applicability.value == "unsafe", name.message
    assert name.fix_note == (
        "`Preset.name` is compared as a string: the database's collation (case, "
        "trailing spaces) may match other rows than Python"
    )


def test_a_project_type_annotated_as_str_is_a_string_key(tmp_path):
    # Airflow's `dag_id: Mapped[str] = mapped_column(StringID())`: the SQL type is a
    # project function n1fix does not read, the annotation says the values are strings.
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    path = tmp_path / "presets.py"
    source = textwrap.dedent(MODELS).replace(
        "name: Mapped[str] = mapped_column(String(40), unique=True)",
        "name: Mapped[str] = mapped_column(StringID(), unique=True)",
    )
    source = source.replace(
        "class Base(DeclarativeBase):",
        "def StringID():\n    return String(250, collation=_id_collation())\n\n\n"
        "class Base(DeclarativeBase):",
    )
    path.write_text(source)
    kind, name = sorted(
        (f for f in scan_source(path, path.read_text()) if f.rule == "query-in-loop"),
        key=lambda f: f.line,
    )
    assert kind.applicability.value == "safe", kind.message
    assert name.applicability.value == "unsafe", name.message
    assert "`Preset.name` is compared as a string" in name.fix_note
