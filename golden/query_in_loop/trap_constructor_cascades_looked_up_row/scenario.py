from sqlalchemy import select

from groupapp.models import GroupMembership, Token, Tokengroup

SEED = "groupapp"


def run(module, session):
    # "violet" is asked twice: the second lookup finds the group the first created
    joined = module.join_groups(session, session.get(Token, 2), ["violet", "red", "violet"])
    names = [g.name for g in session.scalars(select(Tokengroup).order_by(Tokengroup.name))]
    links = session.scalars(select(GroupMembership.tokengroup_id).order_by(GroupMembership.id)).all()
    return joined, names, links
