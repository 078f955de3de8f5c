from sqlalchemy.orm import Session

from catalogapp import models


def group_titles(session: Session, group_ids: list[int]) -> list[str]:
    titles = []
    groups_by_id = {}
    if group_ids:
        groups_by_id = {
            group.id: group
            for group in (
                session.query(models.Group)
                .filter(models.Group.id.in_(group_ids))
            )
        }
    for group_id in group_ids:
        group = groups_by_id.get(group_id)
        titles.append(group.title if group is not None else "-")
    return titles
