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
    for position, project in enumerate(projects):
        finished = session.scalar(
            select(func.count(Render.id)).where(Render.project_id == project.id, Render.status == "done")
        )
        rows.append(LeaderboardRow(position + 1, project.name, finished))
    return rows
