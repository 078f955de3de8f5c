from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, UnicodeText, orm

metadata = MetaData()
registry = orm.registry(metadata=metadata)


class Base:
    """Not mapped itself: every mapped class derives from it (the seed counts the rows
    loaded through it)."""

    metadata = metadata

    def __init__(self, **values):
        for name, value in values.items():
            setattr(self, name, value)


class Group(Base):
    pass


class Member(Base):
    pass


class Account(Base):
    """Mapped with a synonym: `password` reads the `secret` column."""


group_table = Table(
    "group",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", UnicodeText, nullable=False, unique=True),
    Column("title", UnicodeText),
)

member_table = Table(
    "member",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("group_id", Integer, ForeignKey("group.id"), nullable=False),
    Column("user_name", UnicodeText, nullable=False),
)

account_table = Table(
    "account",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("secret", UnicodeText),
)

registry.map_imperatively(Group, group_table)
registry.map_imperatively(
    Member,
    member_table,
    properties={"group": orm.relationship(Group, backref=orm.backref("members"))},
)
registry.map_imperatively(
    Account, account_table, properties={"password": orm.synonym("secret")}
)
