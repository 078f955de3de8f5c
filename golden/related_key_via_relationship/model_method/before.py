from __future__ import annotations

from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from renderapp.models import Base, Project


class Export(Base):
    """A render export: the owning project, by a NOT NULL foreign key."""

    __tablename__ = "exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    label: Mapped[str]

    project: Mapped[Project] = relationship()

    def storage_key(self) -> str:
        return f"projects/{self.project.id}/exports/{self.id}"


def export_keys(session: Session) -> list[str]:
    session.add_all([Export(id=1, project_id=1, label="a"), Export(id=2, project_id=4, label="b")])
    session.flush()
    session.expire_all()
    return [export.storage_key() for export in session.scalars(select(Export).order_by(Export.id))]
