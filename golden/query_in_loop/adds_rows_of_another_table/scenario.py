from sqlalchemy import select

from groupapp.models import Token, TokenTokengroup

SEED = "groupapp"


def _links(session):
    return [
        (link.token_id, link.tokengroup_id)
        for link in session.scalars(
            select(TokenTokengroup).order_by(TokenTokengroup.token_id, TokenTokengroup.tokengroup_id)
        )
    ]


def run(module, session):
    # token 2 joins green, blue and the smart group auto; "purple" does not exist;
    # token 3 joins red
    missing = [
        module.add_token_groups(session, session.get(Token, 2), ["green", "purple", "blue", "auto"]),
        module.add_token_groups(session, session.get(Token, 3), ["red"]),
    ]
    return missing, _links(session)


def run_empty(module, session):
    return module.add_token_groups(session, session.get(Token, 1), []), _links(session)
