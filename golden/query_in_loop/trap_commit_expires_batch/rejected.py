from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Sport, Tagging


def mark_seen(session: Session, tagging: Tagging) -> None:
    """Project code that saves each tagging as it goes, as Flask apps' `update(obj)` do."""
    tagging.tag_id = tagging.tag_id
    session.commit()


def sport_labels(session: Session, taggings: list[Tagging]) -> list[str]:
    labels = []
    sport_ids = [tagging.sport_id for tagging in taggings]
    sport_by_id = {}
    if sport_ids:
        sport_by_id = {sport.id: sport for sport in session.scalars(select(Sport).where(Sport.id.in_(sport_ids)))}
    for tagging in taggings:
        sport = sport_by_id.get(tagging.sport_id)
        labels.append(sport.label)
        mark_seen(session, tagging)
    return labels
