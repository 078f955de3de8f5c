from sqlalchemy.orm import Session

from keyapp.models import Sport


def sport_labels(session: Session, rows: list[dict[str, str]]) -> list[str | None]:
    """Labels for rows of an uploaded sheet, whose cells are text."""
    labels = []
    for row in rows:
        sport_id = int(row["sport_id"])
        sport = session.get(Sport, sport_id)
        labels.append(sport.label if sport is not None else None)
    return labels
