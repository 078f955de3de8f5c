"""Projects paged through a helper of the project's own; a menu of all of them."""

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, Query, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


def page_of(query: Query, page: int, per_page: int = 2) -> list:
    return query.offset(page * per_page).limit(per_page).all()


def projects_page(session: Session, page: int) -> list[Project]:
    return page_of(session.query(Project).order_by(Project.id), page)


def project_menu(session: Session) -> list[tuple[int, str]]:
    return [(p.id, p.name) for p in session.query(Project).order_by(Project.name).all()]
