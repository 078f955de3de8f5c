"""`renders.project_id` leads the composite index in `__table_args__`: that index serves
the lookup by project already, so nothing is advised."""

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)


class Render(Base):
    __tablename__ = "renders"
    __table_args__ = (Index("ix_renders_project_status", "project_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    status: Mapped[str] = mapped_column(String(20))


def render_ids(session, project_id):
    return session.scalars(select(Render.id).where(Render.project_id == project_id)).all()
