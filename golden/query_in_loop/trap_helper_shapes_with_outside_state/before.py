from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render, User

SEEN: set[str] = set()


def first_visit(session: Session, email: str) -> dict:
    user = session.scalars(select(User).where(User.email == email)).first()
    if user:
        return {"name": user.display_name, "first": email not in SEEN}
    return {"name": "", "first": email not in SEEN}


def badge(user: User) -> str:
    SEEN.add(user.email)
    return f"{user.display_name} <{user.email}>"


def user_badge(session: Session, email: str) -> str:
    user = session.scalars(select(User).where(User.email == email)).first()
    if not user:
        return ""
    return badge(user)


def visits(session: Session, emails: list[str]) -> list[dict]:
    out = []
    for email in emails:
        out.append(first_visit(session, email))
        SEEN.add(email)
    return out


def badges(session: Session, emails: list[str]) -> list[tuple[str, dict]]:
    out = []
    for email in emails:
        out.append((user_badge(session, email), first_visit(session, email)))
    return out


def display_label(session: Session, email: str) -> str:
    user = session.scalars(select(User).where(User.email == email)).first()
    if not user:
        return ""
    return user.display_name


def relabel(session: Session, users: list[User], emails: list[str]) -> list[str]:
    labels = []
    for email in emails:
        labels.append(display_label(session, email))
        users[0].display_name = "renamed"
    return labels


def related(session: Session, user_id: int) -> dict:
    projects = session.scalars(select(Project).where(Project.user_id == user_id)).all()
    project_ids = [project.id for project in projects]
    renders = session.scalars(select(Render).where(Render.project_id.in_(project_ids))).all()
    return {"projects": projects, "renders": renders}


def related_counts(session: Session, user_ids: list[int]) -> list[tuple[int, int]]:
    counts = []
    for user_id in user_ids:
        found = related(session, user_id)
        counts.append((len(found["projects"]), len(found["renders"])))
    return counts
