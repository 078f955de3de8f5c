"""Flask style: one application-wide session, and a helper that adds and commits."""
from datetime import datetime

from renderapp.models import User

session = None  # the application's scoped session, bound when the app starts


def create_user(email: str) -> User:
    user = User(email=email, display_name=email.partition("@")[0], created_at=datetime(2024, 1, 1))
    session.add(user)
    session.commit()
    return user


def ensure_users(emails: list[str]) -> list[int]:
    ids = []
    user_by_email = {}
    if emails:
        user_by_email = {user.email: user for user in session.query(User).filter(User.email.in_(emails))}
    for email in emails:
        user = user_by_email.get(email)
        if user is None:
            user = create_user(email)
        ids.append(user.id)
    return ids
