from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from renderapp.models import User


def run(module, session):
    module.session = session
    # a new address twice: the second lookup finds the user the first iteration created;
    # a batch run before the loop finds neither and creates it twice
    emails = ["ana@example.com", "new@example.invalid", "new@example.invalid"]
    try:
        ids = module.ensure_users(emails)
    except IntegrityError:
        session.rollback()
        return "IntegrityError"
    return ids, session.scalar(select(User.id).where(User.email == "new@example.invalid"))
