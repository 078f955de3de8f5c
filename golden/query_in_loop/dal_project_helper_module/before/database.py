"""The project's database helpers around one application-wide session (as in Flask apps)."""

session = None  # bound when the application starts


def session_query(model):
    """A query of `model` on the application's session."""
    return session.query(model)


def get(model, value, field="id"):
    """The one object whose `field` equals `value`, or None."""
    query = session_query(model)
    return query.filter(getattr(model, field) == value).scalar()
