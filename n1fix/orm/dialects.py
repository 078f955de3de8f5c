"""Which ORM dialect a project's code is read with: chosen once, by the engine."""

from __future__ import annotations

from collections.abc import Iterable

from n1fix.orm.dialect import OrmDialect
from n1fix.orm.django_dialect import DjangoDialect
from n1fix.orm.mixed_dialect import MixedDialect
from n1fix.orm.models import ModelIndex
from n1fix.orm.sqlalchemy_dialect import SQLALCHEMY

# Top-level packages whose import means the project maps models with SQLAlchemy.
_SQLALCHEMY = {"sqlalchemy", "flask_sqlalchemy", "sqlmodel"}


def dialect_for(
    imported: Iterable[str], models: ModelIndex | None = None
) -> OrmDialect:
    """The dialect for a project that imports the modules `imported` (qualified names).

    Django when the project imports `django` and nothing of SQLAlchemy; both (each query
    read by the one that recognises it, `MixedDialect`) when it imports both;
    SQLAlchemy otherwise, also for projects that import no ORM (their queries are then
    simply not recognised). The Django dialect resolves lookups (`author=`, `pk=`)
    through the project's `models`.
    """
    tops = {name.split(".", 1)[0] for name in imported}
    if "django" in tops:
        return MixedDialect(models) if tops & _SQLALCHEMY else DjangoDialect(models)
    return SQLALCHEMY
