from sqlalchemy.orm import Session

from renderapp.models import Render

from .dal import RendersDAL


def finish(session: Session, renders: list[Render]) -> dict[int, int]:
    """Mark each render done; after each, how many of its project's renders still wait."""
    still_queued = {}
    for render in renders:
        render.status = "done"
        still_queued[render.id] = RendersDAL.count_with_status(session, render.project_id, "queued")
    return still_queued
