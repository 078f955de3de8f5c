from collections import defaultdict
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
        project_ids = [project.id for project in projects]
        renders_by_project = defaultdict(list)
        render_counts_by_project = {}
        if project_ids:
            for render in self.session.scalars(
                select(Render)
                .where(Render.project_id.in_(project_ids))
                .order_by(Render.created_at.desc(), Render.id.desc())
            ):
                if len(renders_by_project[render.project_id]) < LATEST_PER_PROJECT:
                    renders_by_project[render.project_id].append(render)
            render_counts_by_project = dict(
                self.session.execute(
                    select(Render.project_id, func.count(Render.id))
                    .where(Render.project_id.in_(project_ids))
                    .group_by(Render.project_id)
                ).all()
            )
        for project in projects:
            latest = renders_by_project.get(project.id, [])
            render_count = render_counts_by_project.get(project.id, 0)
            cards.append(ProjectCard(project=project, latest_renders=list(latest), render_count=render_count))
        return cards
