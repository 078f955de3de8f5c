from sqlalchemy import select

from keyapp.models import Member, SportPreference

SEED = "keyapp"


def _preferences(session):
    return [
        (p.member_id, p.sport_id, p.colour)
        for p in session.scalars(
            select(SportPreference).order_by(SportPreference.member_id, SportPreference.sport_id)
        )
    ]


def run(module, session):
    # ana (1) prefers sports 1 and 3; ben (2) already has sport 3, so only sport 1 is
    # added to him; chloe (3) has none and gets both; copying ben to ana adds nothing
    added = [
        module.copy_preferences(session, session.get(Member, 1), session.get(Member, 2)),
        module.copy_preferences(session, session.get(Member, 1), session.get(Member, 3)),
        module.copy_preferences(session, session.get(Member, 2), session.get(Member, 1)),
    ]
    return added, _preferences(session)


def run_empty(module, session):
    # chloe has no preferences: nothing to copy, nothing added
    return module.copy_preferences(session, session.get(Member, 3), session.get(Member, 1))
