from sqlalchemy.orm import Query, Session

from renderapp.models import Project


def page_of(query: Query, page: int, per_page: int = 2) -> list:
    return query.offset(page * per_page).limit(per_page).all()


def projects_page(session: Session, page: int) -> list[Project]:
    return page_of(session.query(Project).order_by(Project.id), page)


def project_menu(session: Session) -> list[Project]:
    return session.query(Project).order_by(Project.name).all()
