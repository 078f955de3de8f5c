"""Look-ups limited to the fields an administrator made searchable (changed at run time)."""

from . import database

SEARCHABLE = {"id", "email"}


def get(model, value, field="id"):
    """The one object whose `field` equals `value`, or None; only searchable fields."""
    if field not in SEARCHABLE:
        raise LookupError(field)
    return database.session.query(model).filter(getattr(model, field) == value).scalar()
