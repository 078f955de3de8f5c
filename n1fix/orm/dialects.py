"""Which ORM dialect a project's code is read with: chosen once, by the engine."""

from __future__ import annotations

from collections.abc import Iterable

from n1fix.orm.dialect import OrmDialect
from n1fix.orm.django_dialect import DjangoDialect
from n1fix.orm.models import ModelIndex
from n1fix.orm.sqlalchemy_dialect import SQLALCHEMY

# Top-level packages whose import means the project maps models with SQLAlchemy.
_SQLALCHEMY = {"sqlalchemy", "flask_sqlalchemy", "sqlmodel"}


def dialect_for(
    imported: Iterable[str], models: ModelIndex | None = None
) -> OrmDialect:
    """The dialect for a project that imports the modules `imported` (qualified names).

    Django when the project imports `django` and nothing of SQLAlchemy; SQLAlchemy
    otherwise, also for projects that import no ORM (their queries are then simply not
    recognised). A project that imports both is read as SQLAlchemy: its Django models
    are in the model index, but its QuerySets are not read (one dialect per project, as
    the engine asks once). The Django dialect resolves lookups (`author=`, `pk=`)
    through the project's `models`.
    """
    tops = {name.split(".", 1)[0] for name in imported}
    if "django" in tops and not tops & _SQLALCHEMY:
        return DjangoDialect(models)
    return SQLALCHEMY
