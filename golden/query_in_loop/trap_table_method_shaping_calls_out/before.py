from pydantic import BaseModel, ConfigDict, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project

SEEN: list[int] = []
FAILED: list[int] = []


class ProjectCard(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    first_seen: bool = False

    @model_validator(mode="after")
    def _mark_first_seen(self):
        self.first_seen = self.id not in SEEN
        return self


class ProjectsTable:
    def get_project_card_by_id(self, session: Session, id: int) -> ProjectCard | None:
        try:
            project = session.get(Project, id)
            if not project:
                return None
            return ProjectCard.model_validate(project)
        except Exception:
            return None

    def get_project_name_by_id(self, session: Session, id: int) -> str | None:
        try:
            project = session.scalars(select(Project).where(Project.id == id)).first()
            return project.name if project else None
        except Exception:
            FAILED.append(id)
            return None


Projects = ProjectsTable()


def visit(session: Session, project_ids: list[int]) -> list[tuple[int, bool]]:
    visits = []
    for project_id in project_ids:
        card = Projects.get_project_card_by_id(session, project_id)
        if card:
            visits.append((card.id, card.first_seen))
            SEEN.append(card.id)
    return visits


def names(session: Session, project_ids: list[int]) -> list[str | None]:
    found = []
    for project_id in project_ids:
        found.append(Projects.get_project_name_by_id(session, project_id))
    return found
