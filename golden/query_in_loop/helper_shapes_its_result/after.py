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


def get_projects(session: Session, project_ids: list[int]) -> dict[int, Project]:
    """`get_project` for many projects in one query.

    Maps each of `project_ids` to what `get_project` returns for it.
    """
    if not project_ids:
        return {}
    projects_by_id = {
        project.id: project
        for project in session.scalars(
            select(Project).where(Project.id.in_(project_ids))
        )
    }
    results = {}
    for project_id in project_ids:
        project = projects_by_id.get(project_id)
        if not project:
            raise ProjectNotFound(f"project {project_id} does not exist")
        results[project_id] = project
    return results


def account_summary(session: Session, email: str) -> dict:
    user = session.scalars(select(User).where(User.email == email)).first()
    if user:
        return {"name": user.display_name, "known": True}
    return {"name": "", "known": False}


def account_summary_for_emails(session: Session, emails: list[str]) -> dict[str, dict]:
    """`account_summary` for many emails in one query.

    Maps each of `emails` to what `account_summary` returns for it.
    """
    if not emails:
        return {}
    first_user_by_email = {}
    for email_user in session.scalars(select(User).where(User.email.in_(emails))):
        first_user_by_email.setdefault(email_user.email, email_user)
    results = {}
    for email in emails:
        user = first_user_by_email.get(email)
        if user:
            results[email] = {"name": user.display_name, "known": True}
            continue
        results[email] = {"name": "", "known": False}
    return results


def display_name(session: Session, email: str) -> str:
    stmt = select(User).where(User.email == email)
    user = session.scalars(stmt).first()
    return (user.display_name or "") if user else ""


def display_name_for_emails(session: Session, emails: list[str]) -> dict[str, str]:
    """`display_name` for many emails in one query.

    Maps each of `emails` to what `display_name` returns for it.
    """
    if not emails:
        return {}
    first_user_by_email = {}
    for email_user in session.scalars(select(User).where(User.email.in_(emails))):
        first_user_by_email.setdefault(email_user.email, email_user)
    results = {}
    for email in emails:
        user = first_user_by_email.get(email)
        results[email] = (user.display_name or "") if user else ""
    return results


def project_names(session: Session, project_ids: list[int]) -> list[str]:
    projects_by_id = get_projects(session, project_ids)
    projects = [projects_by_id[project_id] for project_id in project_ids]
    return [project.name for project in projects]


def summaries(session: Session, emails: list[str]) -> list[tuple[str, dict]]:
    rows = []
    account_summary_by_email = account_summary_for_emails(session, emails)
    for email in emails:
        rows.append((email, account_summary_by_email[email]))
    return rows


def names(session: Session, emails: list[str]) -> dict[str, str]:
    display_name_by_email = display_name_for_emails(session, emails)
    return {email: display_name_by_email[email] for email in emails}
