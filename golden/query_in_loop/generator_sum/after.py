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
    render_ids = [render.id for render in renders]
    gallery_item_counts_by_render = {}
    if render_ids:
        gallery_item_counts_by_render = dict(
            session.execute(
                select(GalleryItem.render_id, func.count(GalleryItem.id))
                .where(GalleryItem.render_id.in_(render_ids), GalleryItem.is_public)
                .group_by(GalleryItem.render_id)
            ).all()
        )
    public_items = sum(
        gallery_item_counts_by_render.get(render.id, 0)
        for render in renders
    )
    return ProjectStats(project_id=project.id, renders=len(renders), public_items=public_items)
