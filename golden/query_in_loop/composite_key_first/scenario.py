from sqlalchemy import select

from keyapp.models import Member, Sport

SEED = "keyapp"


def run(module, session):
    sports = list(session.scalars(select(Sport).order_by(Sport.id)).all())
    return {
        # sport 3 has preferences of members 1 and 2: each member gets only their own
        "ana": module.sport_colours(session, sports, session.get(Member, 1)),
        "ben": module.sport_colours(session, sports, session.get(Member, 2)),
        "chloe": module.sport_colours(session, sports, session.get(Member, 3)),
        # no member: the original never reads `member.id`, nor may the batch
        "nobody": module.sport_colours(session, sports, None),
    }


def run_empty(module, session):
    return module.sport_colours(session, [], session.get(Member, 1))
