"""Imperative mappings (`registry.map_imperatively(Class, table)`, ckan's models) in the
model index: the class is a model with its table's columns only when the module shows
every part of the mapping."""

from __future__ import annotations

from pathlib import Path

from tests.test_model_index import build

CATALOG = """
    import sqlalchemy as sa
    from sqlalchemy import Column, ForeignKey, Table, orm, types

    metadata = sa.MetaData()
    registry = orm.registry(metadata=metadata)


    class DomainObject:
        pass


    class Group(DomainObject):
        id: orm.Mapped[str]
        name: orm.Mapped[str]


    class Member(DomainObject):
        pass


    class Renamed(DomainObject):
        pass


    group_table = Table("group", metadata,
        Column("id", types.UnicodeText, primary_key=True),
        Column("name", types.UnicodeText, nullable=False, unique=True),
        Column("title", types.UnicodeText),
    )
    member_table = Table("member", metadata,
        Column("id", types.UnicodeText, primary_key=True),
        Column("group_id", types.UnicodeText, ForeignKey("group.id")),
    )
    renamed_table = Table("renamed", metadata,
        Column("id", types.UnicodeText, primary_key=True),
        Column("secret", types.UnicodeText),
    )

    registry.map_imperatively(Group, group_table)
    registry.map_imperatively(Member, member_table, properties={
        "group": orm.relationship(Group, backref=orm.backref("members")),
    })
    registry.map_imperatively(Renamed, renamed_table, properties={
        "password": orm.synonym("secret"),
    })
"""


def test_imperatively_mapped_class_is_a_model(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "catalog/__init__.py": "from catalog.models import Group, Member\n",
            "catalog/models.py": CATALOG,
        },
    )
    group = index.resolve("catalog.Group", {"catalog": "catalog"}, "app")
    assert group is not None and group.table == "group"
    assert group.primary_key == ("id",)
    name, title = group.column("name"), group.column("title")
    assert name.unique and not name.nullable
    assert title.nullable and not title.unique
    member = index.get("catalog.models.Member")
    assert member is not None
    assert member.relationships["group"].direction == "many_to_one"
    assert "members" in group.relationships


def test_mapping_with_other_properties_is_not_read(tmp_path: Path) -> None:
    # `synonym` renames what an attribute reads: the table's columns are not the
    # attributes, so the class stays unknown.
    index = build(tmp_path, {"catalog/__init__.py": "", "catalog/models.py": CATALOG})
    assert index.get("catalog.models.Renamed") is None


def test_mapping_with_other_keywords_is_not_read(tmp_path: Path) -> None:
    # `primary_key=` names another key than the table's: not read.
    other = CATALOG.replace(
        "registry.map_imperatively(Group, group_table)",
        "registry.map_imperatively(Group, group_table, primary_key=[group_table.c.name])",
    )
    index = build(tmp_path, {"catalog/__init__.py": "", "catalog/models.py": other})
    assert index.get("catalog.models.Group") is None
