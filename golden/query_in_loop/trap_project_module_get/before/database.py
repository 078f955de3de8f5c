"""The project's database helpers around one application-wide session (as in Flask apps)."""
from sqlalchemy import select

session = None  # bound when the application starts


def get(model, value, field="id"):
    """The one object whose `field` equals `value`, or None."""
    return session.scalar(select(model).where(getattr(model, field) == value))
