"""Relationships declared with the loader strategies other than `lazy="select"`: for the
lazy-load-in-loop traps where reading a relationship in a loop runs no query per item
(kept apart from renderapp, whose relationships are all lazy)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))

    # loaded with the teams, by one more SELECT ... WHERE team_id IN (...)
    members: Mapped[list[Member]] = relationship(back_populates="team", lazy="selectin", order_by="Member.id")
    # loaded with the teams, by the teams' query again as a subquery
    members_by_subquery: Mapped[list[Member]] = relationship(lazy="subquery", order_by="Member.id", viewonly=True)
    # never loaded: an empty list unless the code fills it
    invitations: Mapped[list[Member]] = relationship(lazy="noload", viewonly=True)


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    name: Mapped[str] = mapped_column(String(80))

    # joined into every query of members
    team: Mapped[Team] = relationship(back_populates="members", lazy="joined")
    # loads only from the identity map; a load that needs SQL raises
    home_team: Mapped[Team] = relationship(lazy="raise_on_sql", viewonly=True)
