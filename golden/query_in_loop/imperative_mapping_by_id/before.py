from sqlalchemy.orm import Session

from catalogapp import models


def group_titles(session: Session, group_ids: list[int]) -> list[str]:
    titles = []
    for group_id in group_ids:
        group = session.query(models.Group).filter_by(id=group_id).one_or_none()
        titles.append(group.title if group is not None else "-")
    return titles
