from datetime import datetime

from renderapp.models import User

from . import database


def get_by_email(email):
    """The user with this email address, or None."""
    return database.get(User, email, field="email")


def create(email):
    user = User(email=email, display_name=email.partition("@")[0], created_at=datetime(2024, 1, 1))
    return database.create(user)
