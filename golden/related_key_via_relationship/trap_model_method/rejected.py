from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


class Base(DeclarativeBase):
    """This case's own tables, created by its scenario (a model declared in the case)."""


class Folder(Base):
    __tablename__ = "export_folders"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))


class Export(Base):
    """A render export, filed in a folder by a NOT NULL foreign key."""

    __tablename__ = "exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    folder_id: Mapped[int] = mapped_column(ForeignKey("export_folders.id"))
    label: Mapped[str] = mapped_column(String(80))

    folder: Mapped[Folder] = relationship()

    def storage_key(self) -> str:
        return f"folders/{self.folder_id}/{self.label}"


def new_export(session: Session, folder_id: int, label: str) -> str:
    """File a new export and name its storage key, before anything is flushed."""
    export = Export(folder=session.get(Folder, folder_id), label=label)
    session.add(export)
    return export.storage_key()
