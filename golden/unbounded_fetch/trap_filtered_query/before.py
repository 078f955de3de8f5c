"""Renders paged elsewhere; one project's renders read in full."""

from sqlalchemy import String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Render(Base):
    __tablename__ = "renders"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int]
    prompt: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))


def renders_page(session: Session, page: int) -> list[Render]:
    return session.scalars(
        select(Render).order_by(Render.id).limit(5).offset(5 * page)
    ).all()


def project_prompts(session: Session, project_id: int) -> list[str]:
    renders = session.scalars(
        select(Render).where(Render.project_id == project_id).order_by(Render.id)
    ).all()
    return [f"{render.id}: {render.prompt}" for render in renders]
