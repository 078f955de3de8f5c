from sqlalchemy.exc import IntegrityError

from keyapp.models import Member

SEED = "keyapp"


def run(module, session):
    # sport 3 is tagged twice, so the join yields it twice: the original's second lookup
    # finds the row it added the first time; a batch run before the loop misses it twice
    # and adds (chloe, sport 3) twice
    try:
        return module.prefer_tagged_sports(session, session.get(Member, 3))
    except IntegrityError:
        session.rollback()
        return "IntegrityError"
