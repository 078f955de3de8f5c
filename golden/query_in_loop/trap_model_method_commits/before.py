"""Models whose shared mixin saves an object in a transaction of its own."""
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

session = None  # the application's scoped session


class CRUDMixin:
    def save(self):
        """Saves the object to the database."""
        session.add(self)
        session.commit()
        return self


class Base(DeclarativeBase):
    pass


class Project(CRUDMixin, Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))


class Render(CRUDMixin, Base):
    __tablename__ = "renders"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(20))


def archive_latest(projects: list[Project]) -> list[int]:
    """Archive each project's latest render, one transaction per project."""
    archived = []
    for project in projects:
        render = session.scalars(
            select(Render).where(Render.project_id == project.id).order_by(Render.id.desc())
        ).first()
        if render is not None:
            render.status = "archived"
            render.save()
            archived.append(render.id)
    return archived
