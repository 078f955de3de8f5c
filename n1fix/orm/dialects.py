"""Which ORM dialect a project's code is read with: chosen once, by the engine."""

from __future__ import annotations

from typing import Iterable

from n1fix.orm.dialect import OrmDialect


def dialect_name_for(imported: Iterable[str]) -> str:
    """The name of the dialect for a project that imports the modules `imported`
    (qualified names), without importing the dialect (and LibCST with it): a warm run
    keys the results cache by it and may need nothing else.

    SQLAlchemy is the only dialect so far, and also reads projects that import no ORM
    (their queries are then simply not recognised). A second dialect is chosen here from
    its top-level package (`django`), and is the only place that names one.
    """
    del imported  # one dialect: nothing to choose between yet
    return "sqlalchemy"


def dialect_for(imported: Iterable[str]) -> OrmDialect:
    """The dialect for a project that imports the modules `imported` (qualified names)."""
    from n1fix.orm.sqlalchemy_dialect import SQLALCHEMY

    dialects = {SQLALCHEMY.name: SQLALCHEMY}
    return dialects[dialect_name_for(imported)]
