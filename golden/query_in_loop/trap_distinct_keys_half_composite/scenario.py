from sqlalchemy.exc import IntegrityError

from keyapp.models import Member

SEED = "keyapp"


def run(module, session):
    # sport 3 has preferences of ana and ben: the second time, the original finds the
    # row it added the first time; a batch run before the loop misses it twice and adds
    # (chloe, sport 3) twice
    try:
        return module.adopt_all_preferences(session, session.get(Member, 3))
    except IntegrityError:
        session.rollback()
        return "IntegrityError"
