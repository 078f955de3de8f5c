"""The project's database helpers around one application-wide session (as in Flask apps)."""

session = None  # bound when the application starts


class AttrNotFound(Exception):
    pass


def session_query(model):
    """A query of `model` on the application's session."""
    return session.query(model)


def get_model_column(model, field):
    """The table column `field` of `model`; fields marked sensitive are never looked up."""
    if field in getattr(model, "sensitive_fields", ()):
        raise AttrNotFound(field)
    column = model.__table__.columns.get(field, None)
    if column is None:
        raise AttrNotFound(field)
    return column


def get(model, value, field="id"):
    """The one object whose `field` equals `value`, or None."""
    query = session_query(model)
    return query.filter(get_model_column(model, field) == value).scalar()
