from sqlalchemy import select

from keyapp.models import Tag

SEED = "keyapp"


def run(module, session):
    module.rename_tags(session, {"t-1": "trails", "t-2": "roads"})
    return [(tag.id, tag.name) for tag in session.scalars(select(Tag).order_by(Tag.id))]
