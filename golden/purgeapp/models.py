"""An album's photos are deleted with it (a delete cascade); a folder's notes are kept
and unlinked (their folder_id set to NULL); a board has pins (deleted with it) and
followers (unlinked): two collections a delete loads."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Album(Base):
    __tablename__ = "albums"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    archived: Mapped[bool] = mapped_column(default=False)

    photos: Mapped[list[Photo]] = relationship(
        back_populates="album", cascade="all, delete-orphan"
    )


class Photo(Base):
    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    album_id: Mapped[int] = mapped_column(ForeignKey("albums.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))

    album: Mapped[Album] = relationship(back_populates="photos")


class Folder(Base):
    __tablename__ = "folders"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))

    notes: Mapped[list[Note]] = relationship(back_populates="folder")


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    folder_id: Mapped[int | None] = mapped_column(ForeignKey("folders.id"), index=True)
    text: Mapped[str] = mapped_column(String(200))

    folder: Mapped[Folder | None] = relationship(back_populates="notes")


class Board(Base):
    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))

    pins: Mapped[list[Pin]] = relationship(
        back_populates="board", cascade="all, delete-orphan"
    )
    followers: Mapped[list[Follower]] = relationship(back_populates="board")


class Pin(Base):
    __tablename__ = "pins"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"), index=True)
    url: Mapped[str] = mapped_column(String(200))

    board: Mapped[Board] = relationship(back_populates="pins")


class Follower(Base):
    __tablename__ = "followers"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))

    board: Mapped[Board | None] = relationship(back_populates="followers")
