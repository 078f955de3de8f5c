"""count-via-len's gate reads `len(<x>)` as the check does (`analysis.query_rows`,
`fetched_rows.bound_query_rows`): a SQLAlchemy query read whole with `.all()`, a name's
`.all()`, or a queryset on `Model.objects`. On tricky spellings the findings with and
without the gate are the same, and found; `len(item.variations.all())` (a related
manager) and `len(objects)` (a name that says objects) are turned away.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from n1fix.config import Config
from n1fix.engine.runner import run
from n1fix.rules.count_via_len.rule import gate
from tests.test_gate_first_row import MODELS as SQLALCHEMY_MODELS
from tests.test_gate_first_row import _modules

DJANGO_MODELS = """\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    title = models.CharField(max_length=100)
"""

SQLALCHEMY = """\
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import models
from app.models import Member as Person


def scalars_of_select(session: Session):
    return len(session.scalars(sa.select(Person)).all())


def execute_of_a_statement(session: Session, stmt):
    return len(session.execute(stmt).all())


async def awaited(session):
    return len((await session.scalars(sa.select(models.Member))).all())


def legacy_query(session: Session):
    return len(session.query(Person).filter(Person.level > 1).all())


def model_query():
    return len(Person.query.filter_by(level=2).all())


def bound_query(session: Session):
    query = session.query(Person).order_by(Person.id)
    return len(query.all())


def a_related_collection(team: models.Team):
    return len(team.members.all())


def a_name(objects):
    return len(objects)
"""

DJANGO = """\
from app import models
from app.models import Author, Book as Volume


def a_queryset():
    return len(Volume.objects.filter(title="x").order_by("id"))


def all_of_a_manager():
    return len(Volume.objects.all())


def nested(author: Author):
    def inner():
        return len(Volume.objects.exclude(author=author).distinct())

    return inner


def a_related_manager(author: Author):
    return len(author.books.all())


def a_values_list():
    return len(Volume.objects.values_list("id"))


def through_the_module():
    return len(models.Book.objects.all())
"""

TURNED_AWAY = {
    "a_related_collection",
    "a_name",
    "a_related_manager",
    "a_values_list",
    "through_the_module",
}


def _project(root: Path, models: str, source: str) -> None:
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '0'\n")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(models)
    (root / "app" / "lengths").mkdir()
    (root / "app" / "lengths" / "__init__.py").write_text("")
    for name, text in _modules(source).items():
        (root / "app" / "lengths" / f"{name}.py").write_text(text)


@pytest.fixture(scope="module", params=["sqlalchemy", "django"])
def both_runs(request, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp(request.param)
    if request.param == "sqlalchemy":
        source = SQLALCHEMY
        _project(root, SQLALCHEMY_MODELS, source)
    else:
        source = DJANGO
        _project(root, DJANGO_MODELS, source)
    config = Config(cache=False, select=("count-via-len",))
    gated = run([root], root, config, use_gate=True)
    ungated = run([root], root, config, use_gate=False)
    return source, gated, ungated


def test_the_gate_loses_no_finding(both_runs):
    _, gated, ungated = both_runs
    assert sorted((f.to_json() for f in gated.findings), key=repr) == sorted(
        (f.to_json() for f in ungated.findings), key=repr
    )


def test_every_spelling_is_found(both_runs):
    source, gated, _ = both_runs
    found = {Path(f.path).stem for f in gated.findings}
    assert found == set(_modules(source)) - TURNED_AWAY


def test_the_gate_turns_away_what_is_no_query():
    for source in (SQLALCHEMY, DJANGO):
        for name, text in _modules(source).items():
            assert gate(ast.parse(text), text) is (name not in TURNED_AWAY), name
