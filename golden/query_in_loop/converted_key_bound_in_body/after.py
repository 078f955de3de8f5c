from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Sport


def sport_labels(session: Session, rows: list[dict[str, str]]) -> list[str | None]:
    """Labels for rows of an uploaded sheet, whose cells are text."""
    labels = []
    sport_ids = [int(row["sport_id"]) for row in rows]
    sports_by_id = {}
    if sport_ids:
        sports_by_id = {
            sport.id: sport
            for sport in session.scalars(select(Sport).where(Sport.id.in_(sport_ids)))
        }
    for row in rows:
        sport_id = int(row["sport_id"])
        sport = sports_by_id.get(sport_id)
        labels.append(sport.label if sport is not None else None)
    return labels
