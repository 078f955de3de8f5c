from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Sport, Tagging


def mark_seen(session: Session, tagging: Tagging) -> None:
    """Project code that saves each tagging as it goes, as Flask apps' `update(obj)` do."""
    tagging.tag_id = tagging.tag_id
    session.commit()


def sport_labels(session: Session, taggings: list[Tagging]) -> list[str]:
    labels = []
    for tagging in taggings:
        sport = session.scalars(select(Sport).where(Sport.id == tagging.sport_id)).first()
        labels.append(sport.label)
        mark_seen(session, tagging)
    return labels
