from renderapp.models import User

from . import lookup


def get_by_email(email):
    """The user with this email address, or None."""
    return lookup.get(User, email, field="email")
