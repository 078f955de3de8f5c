"""Renders paged by one function and loaded whole by another."""

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


PAGE_SIZE = 5


def renders_page(session: Session, page: int) -> list[Render]:
    return session.scalars(
        select(Render).order_by(Render.id).limit(PAGE_SIZE).offset(PAGE_SIZE * page)
    ).all()


def gallery_export(session: Session) -> list[str]:
    renders = session.scalars(select(Render).order_by(Render.id)).all()
    return [f"{render.id}: {render.prompt}" for render in renders]
