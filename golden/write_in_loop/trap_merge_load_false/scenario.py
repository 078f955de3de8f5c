from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Tag

SEED = "keyapp"


def run(module, session):
    with Session(session.get_bind()) as cache:
        tags = list(cache.scalars(select(Tag).order_by(Tag.id)))
    module.adopt_tags_one_by_one(session, tags)
    return [(tag.id, tag.name) for tag in module.adopt_tags(session, tags)]
