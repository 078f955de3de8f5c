from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, User


class ProjectNotFound(Exception):
    pass


def get_project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if not project:
        raise ProjectNotFound(f"project {project_id} does not exist")
    return project


def account_summary(session: Session, email: str) -> dict:
    user = session.scalars(select(User).where(User.email == email)).first()
    if user:
        return {"name": user.display_name, "known": True}
    return {"name": "", "known": False}


def display_name(session: Session, email: str) -> str:
    stmt = select(User).where(User.email == email)
    user = session.scalars(stmt).first()
    return (user.display_name or "") if user else ""


def project_names(session: Session, project_ids: list[int]) -> list[str]:
    projects = [get_project(session, project_id) for project_id in project_ids]
    return [project.name for project in projects]


def summaries(session: Session, emails: list[str]) -> list[tuple[str, dict]]:
    rows = []
    for email in emails:
        rows.append((email, account_summary(session, email)))
    return rows


def names(session: Session, emails: list[str]) -> dict[str, str]:
    return {email: display_name(session, email) for email in emails}
