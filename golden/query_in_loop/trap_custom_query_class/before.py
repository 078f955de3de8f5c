"""Flask-SQLAlchemy's way: `Project.query` is a query of the model's own `query_class`,
whose `get` only finds projects of the signed-in user."""
from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, Query, mapped_column

from renderapp.models import Render

session = None  # the application's scoped session
signed_in_user_id = None  # who is signed in (Flask's `g`)


class _QueryProperty:
    """What Flask-SQLAlchemy's `Model.query` is: a new query of the model's `query_class`."""

    def __get__(self, obj, cls):
        return cls.query_class(cls, session=session)


class Base(DeclarativeBase):
    query = _QueryProperty()


class Project(Base):
    __tablename__ = "projects"

    class ProjectQuery(Query):
        def get(self, ident):
            """The project, if the signed-in user owns it."""
            return self.filter(Project.id == ident).filter(Project.user_id == signed_in_user_id).one_or_none()

    query_class = ProjectQuery

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))


def project_names(renders: list[Render]) -> list[str | None]:
    names = []
    for render in renders:
        project = Project.query.get(render.project_id)
        names.append(project.name if project is not None else None)
    return names
