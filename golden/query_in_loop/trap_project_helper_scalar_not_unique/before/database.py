"""The project's database helpers around one application-wide session (as in Flask apps)."""

session = None  # bound when the application starts


def get(model, value, field="id"):
    """The one object whose `field` equals `value`, or None."""
    return session.query(model).filter(getattr(model, field) == value).scalar()


def create(instance):
    """Add `instance` and commit."""
    session.add(instance)
    session.commit()
    return instance
