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
    # ana (1) has sports 1 and 3: sport 3 is updated twice; sport 2 is new and given
    # twice, so the second item must find the row the first added and update it (a batch
    # that did not record it would add sport 2 twice and fail on the primary key)
    module.set_colours(
        session, session.get(Member, 1), [(3, "navy"), (2, "lime"), (3, "plum"), (2, "sand")]
    )
    return _preferences(session)


def run_empty(module, session):
    module.set_colours(session, session.get(Member, 3), [])
    return _preferences(session)
