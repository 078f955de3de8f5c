from sqlalchemy import select

from keyapp.models import SportPreference

SEED = "keyapp"


def run(module, session):
    # member 1 has colours for sports 1 and 3 (member 2 for sport 3 too: left alone)
    module.save_colours(session, 1, {3: "navy", 1: "amber", 2: "lime"})
    return [
        (p.member_id, p.sport_id, p.colour)
        for p in session.scalars(
            select(SportPreference).order_by(
                SportPreference.member_id, SportPreference.sport_id
            )
        )
    ]


def run_empty(module, session):
    return module.save_colours(session, 1, {})
