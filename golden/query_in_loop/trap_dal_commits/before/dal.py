from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


class RenderQueueDAL:
    @staticmethod
    def start_next(session: Session, project_id: int) -> Render | None:
        """Take the project's oldest queued render and mark it running, in its own transaction."""
        render = session.scalar(
            select(Render)
            .where(Render.project_id == project_id, Render.status == "queued")
            .order_by(Render.created_at, Render.id)
            .limit(1)
        )
        if render is not None:
            render.status = "running"
            session.commit()
        return render
