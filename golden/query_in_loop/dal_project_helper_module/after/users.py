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
    users_by_email = {
        user.email: user
        for user in database.session.query(User).filter(User.email.in_(emails))
    }
    return {email: users_by_email.get(email) for email in emails}
