from renderapp.models import User

from . import database


def get_by_email(email):
    """The user with this email address, or None."""
    return database.get(User, email, field="email")


def get_by_emails(emails):
    """`get_by_email` for many emails in one query.

    Maps each of `emails` to what `get_by_email` returns for it.
    """
    if not emails:
        return {}
    first_user_by_email = {}
    for user in database.session.query(User).filter(User.email.in_(emails)):
        first_user_by_email.setdefault(user.email, user)
    return {email: first_user_by_email.get(email) for email in emails}
