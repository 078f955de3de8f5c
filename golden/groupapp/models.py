"""Tokens, token groups and the links between them, with the hand-written constructors
privacyidea's models have: the rows of query-in-loop cases whose loop adds rows of
another table than the one it looks up."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Token(Base):
    __tablename__ = "token"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)


class Tokengroup(Base):
    __tablename__ = "tokengroup"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="plain")
    tokens: Mapped[list[Token]] = relationship(Token, secondary="tokentokengroup")

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "plain"}

    def __init__(self, name: str):
        self.name = name


class SmartGroup(Tokengroup):
    """A group kept in the `tokengroup` table too (single-table inheritance)."""

    __mapper_args__ = {"polymorphic_identity": "smart"}


class TokenTokengroup(Base):
    """A token in a group."""

    __tablename__ = "tokentokengroup"
    __table_args__ = (UniqueConstraint("token_id", "tokengroup_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("token.id"))
    tokengroup_id: Mapped[int] = mapped_column(ForeignKey("tokengroup.id"))

    def __init__(self, tokengroup_id=0, token_id=0):
        if not tokengroup_id:
            raise ValueError("a token group is needed")
        self.tokengroup_id = tokengroup_id
        self.token_id = token_id


class GroupMembership(Base):
    """A token in a group, whose constructor creates the group when it is new."""

    __tablename__ = "group_membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("token.id"))
    tokengroup_id: Mapped[int] = mapped_column(ForeignKey("tokengroup.id"))
    tokengroup: Mapped[Tokengroup] = relationship(Tokengroup)

    def __init__(self, token_id, group_name):
        self.token_id = token_id
        self.tokengroup = Tokengroup(group_name)


class TokenInfo(Base):
    """Key/value settings of a token, one row per key."""

    __tablename__ = "tokeninfo"
    __table_args__ = (UniqueConstraint("token_id", "Key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("token.id"))
    Key: Mapped[str] = mapped_column(String(80))
    Value: Mapped[str] = mapped_column(String(200), default="")

    def __init__(self, token_id, Key, Value=None):
        self.token_id = token_id
        self.Key = Key
        self.Value = "" if Value is None else str(Value)


class Label(Base):
    """A named label; a Note may hold several."""

    __tablename__ = "label"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    note_id: Mapped[int | None] = mapped_column(ForeignKey("note.id"))

    def __init__(self, name: str):
        self.name = name


class Note(Base):
    """A note on a token, whose constructor grows its labels by a method call."""

    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("token.id"))
    labels: Mapped[list[Label]] = relationship(Label, foreign_keys=[Label.note_id])

    def __init__(self, token_id, label_name=None):
        self.token_id = token_id
        if label_name:
            self.labels.append(Label(label_name))


class LabelledNote(Base):
    """A note with one label, whose constructor hands itself to a helper that sets it."""

    __tablename__ = "labelled_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("token.id"))
    label_id: Mapped[int | None] = mapped_column(ForeignKey("label.id"))
    label: Mapped[Label | None] = relationship(Label, foreign_keys=[label_id])

    def __init__(self, token_id, label_name=None):
        self.token_id = token_id
        if label_name:
            attach_label(self, label_name)


def attach_label(note, name):
    note.label = Label(name)
