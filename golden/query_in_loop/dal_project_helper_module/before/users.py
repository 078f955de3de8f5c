from renderapp.models import User

from . import database


def get_by_email(email):
    """The user with this email address, or None."""
    return database.get(User, email, field="email")
