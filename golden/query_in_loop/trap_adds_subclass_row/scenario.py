from sqlalchemy import select

from groupapp.models import Tokengroup

SEED = "groupapp"


def run(module, session):
    # "violet" is asked twice: the second lookup finds the group the first created
    created = module.ensure_smart_groups(session, ["red", "violet", "violet", "amber"])
    names = [(g.name, g.kind) for g in session.scalars(select(Tokengroup).order_by(Tokengroup.name))]
    return created, names
