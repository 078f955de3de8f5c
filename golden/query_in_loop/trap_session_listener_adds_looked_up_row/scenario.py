from sqlalchemy import select

from groupapp.models import Token, Tokengroup, TokenTokengroup

SEED = "groupapp"


def run(module, session):
    # "green" is group 2: its link's flush, before the lookup of "linked-2", creates
    # that group, which the lookup then finds
    missing = module.add_token_groups(session, session.get(Token, 2), ["green", "linked-2"])
    names = [g.name for g in session.scalars(select(Tokengroup).order_by(Tokengroup.id))]
    links = session.scalars(select(TokenTokengroup.tokengroup_id).order_by(TokenTokengroup.id)).all()
    return missing, names, links
