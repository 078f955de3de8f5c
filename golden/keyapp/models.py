"""Sports, the members' per-sport preferences (a composite primary key) and string-keyed
tags: the keys of query-in-loop cases that are not a plain column of the item."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))


class Sport(Base):
    __tablename__ = "sports"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(40), unique=True)
    colour: Mapped[str] = mapped_column(String(20))


class SportPreference(Base):
    """One row per member and sport: the primary key is the pair."""

    __tablename__ = "sport_preferences"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    sport_id: Mapped[int] = mapped_column(ForeignKey("sports.id"), primary_key=True)
    colour: Mapped[str] = mapped_column(String(20))


class Tag(Base):
    """Tags are keyed by text ids, as CKAN's groups and tags are."""

    __tablename__ = "tags"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))


class Tagging(Base):
    __tablename__ = "taggings"

    id: Mapped[int] = mapped_column(primary_key=True)
    tag_id: Mapped[str] = mapped_column(ForeignKey("tags.id"), index=True)
    sport_id: Mapped[int] = mapped_column(ForeignKey("sports.id"), index=True)
