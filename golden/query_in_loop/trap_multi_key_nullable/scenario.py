from sqlalchemy import select

from pairapp.models import Member

SEED = "pairapp"


def run(module, session):
    # member 2 names "Open Lab" with no city: the per-item query finds it (IS NULL), a
    # row-value IN with a NULL in the tuple matches nothing
    members = list(session.scalars(select(Member).order_by(Member.id)))
    return module.member_affiliations(session, members)
