from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Sport


def import_sports(session: Session, colours: dict[str, str]) -> None:
    """Import sports by label: an existing label keeps its row (airflow's connections
    import: the primary key is looked up, then set on the new object)."""
    for label, colour in colours.items():
        sport = Sport(label=label, colour=colour)
        existing_id = session.scalar(select(Sport.id).where(Sport.label == label))
        if existing_id is not None:
            sport.id = existing_id
        session.merge(sport)
    session.flush()
