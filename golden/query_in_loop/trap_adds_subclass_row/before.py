from sqlalchemy import select
from sqlalchemy.orm import Session

from groupapp.models import SmartGroup, Tokengroup


def ensure_smart_groups(session: Session, names: list[str]) -> int:
    """Create a smart group for each name no group has yet; count the groups created."""
    created = 0
    for name in names:
        existing = session.execute(select(Tokengroup).filter_by(name=name)).scalar_one_or_none()
        if existing is None:
            session.add(SmartGroup(name))
            created += 1
    session.flush()
    return created
