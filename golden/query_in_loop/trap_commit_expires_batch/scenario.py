from sqlalchemy import select

from keyapp.models import Tagging

SEED = "keyapp"


def run(module, session):
    # every tagging's sport, with a commit after each: from the second item on, the
    # sports a batch loaded before the loop are expired and load again one by one
    taggings = list(session.scalars(select(Tagging).order_by(Tagging.id)))
    return module.sport_labels(session, taggings)
