"""Which ORM dialect a project's code is read with: chosen once, by the engine."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from n1fix.orm.dialect import OrmDialect
    from n1fix.orm.models import ModelIndex

# Top-level packages whose import means the project maps models with SQLAlchemy.
_SQLALCHEMY = {"sqlalchemy", "flask_sqlalchemy", "sqlmodel"}

SQLALCHEMY = "sqlalchemy"
DJANGO = "django"
MIXED = "sqlalchemy+django"


def dialect_name_for(imported: Iterable[str]) -> str:
    """The name of the dialect for a project that imports the modules `imported`
    (qualified names), without importing the dialect (and LibCST with it): a warm run
    keys the results cache by it and may need nothing else.

    Django when the project imports `django` and nothing of SQLAlchemy; both (each query
    read by the one that recognises it, `MixedDialect`) when it imports both;
    SQLAlchemy otherwise, also for projects that import no ORM (their queries are then
    simply not recognised).
    """
    tops = {name.split(".", 1)[0] for name in imported}
    if "django" in tops:
        return MIXED if tops & _SQLALCHEMY else DJANGO
    return SQLALCHEMY


def dialect_for(
    imported: Iterable[str], models: ModelIndex | None = None
) -> OrmDialect:
    """The dialect for a project that imports the modules `imported` (qualified names).
    The Django dialect resolves lookups (`author=`, `pk=`) through the project's
    `models`."""
    name = dialect_name_for(imported)
    if name == DJANGO:
        from n1fix.orm.django_dialect import DjangoDialect

        return DjangoDialect(models)
    if name == MIXED:
        from n1fix.orm.mixed_dialect import MixedDialect

        return MixedDialect(models)
    from n1fix.orm.sqlalchemy_dialect import SQLALCHEMY as sqlalchemy_dialect

    return sqlalchemy_dialect
