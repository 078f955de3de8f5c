from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render

LATEST_PER_PROJECT = 4


@dataclass
class ProjectCard:
    project: Project
    latest_renders: list[Render]
    render_count: int


class DashboardService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def project_cards(self, user_id: int) -> list[ProjectCard]:
        projects = self.session.scalars(
            select(Project).where(Project.user_id == user_id).order_by(Project.created_at.desc(), Project.id.desc())
        ).all()
        cards = []
        for project in projects:
            latest = self.session.scalars(
                select(Render)
                .where(Render.project_id == project.id)
                .order_by(Render.created_at.desc(), Render.id.desc())
                .limit(LATEST_PER_PROJECT)
            ).all()
            render_count = self.session.scalar(select(func.count(Render.id)).where(Render.project_id == project.id))
            cards.append(ProjectCard(project=project, latest_renders=list(latest), render_count=render_count))
        return cards
