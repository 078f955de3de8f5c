"""People keyed by UUIDs and their logins: the keys of query-in-loop cases whose ids a
program holds now as UUID objects, now as their strings (serialised rows, JSON).

`UUIDType` binds either form, as sqlalchemy_utils' type of that name does (zou): a
string is parsed into a UUID first; rows give UUID objects back."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UUIDType(TypeDecorator):
    impl = Uuid
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and not isinstance(value, uuid.UUID):
            value = uuid.UUID(value)
        return value


class Base(DeclarativeBase):
    pass


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType(), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(60))


class LoginLog(Base):
    """A day of the month a person logged in on: any number per person."""

    __tablename__ = "login_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType(), ForeignKey("persons.id"), index=True
    )
    day: Mapped[int]


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))


class TeamMember(Base):
    """A person on a team: one row per (team, person), the primary key."""

    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType(), ForeignKey("persons.id"), primary_key=True
    )
