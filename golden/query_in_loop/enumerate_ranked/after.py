from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


@dataclass
class LeaderboardRow:
    position: int
    project_name: str
    finished_renders: int


def leaderboard(session: Session, projects: list[Project]) -> list[LeaderboardRow]:
    rows = []
    project_ids = [project.id for project in projects]
    render_counts_by_project = {}
    if project_ids:
        render_counts_by_project = dict(
            session.execute(
                select(Render.project_id, func.count(Render.id))
                .where(Render.project_id.in_(project_ids), Render.status == "done")
                .group_by(Render.project_id)
            ).all()
        )
    for position, project in enumerate(projects):
        finished = render_counts_by_project.get(project.id, 0)
        rows.append(LeaderboardRow(position + 1, project.name, finished))
    return rows
