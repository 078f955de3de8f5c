from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem, Project, Render


@dataclass
class ProjectStats:
    project_id: int
    renders: int
    public_items: int


def project_stats(session: Session, project: Project) -> ProjectStats:
    renders = session.scalars(select(Render).where(Render.project_id == project.id)).all()
    public_items = sum(
        session.scalar(
            select(func.count(GalleryItem.id)).where(GalleryItem.render_id == render.id, GalleryItem.is_public)
        )
        for render in renders
    )
    return ProjectStats(project_id=project.id, renders=len(renders), public_items=public_items)
