from sqlalchemy import select

from keyapp.models import Tag

SEED = "keyapp"


def run(module, session):
    module.rename_tags(
        session, {"t-2": "roads", "t-7": "coast", "t-4": "lakes", "t-5": "forest"}
    )
    return [(tag.id, tag.name) for tag in session.scalars(select(Tag).order_by(Tag.id))]
