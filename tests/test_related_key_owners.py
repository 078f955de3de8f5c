"""related-key-via-relationship's survey keeps `owner.rel.key` only where the check
may find `owner`'s model (`owners.Owners`): a loop's call only when some dialect may read
it as a query of rows (`ast_rows.may_be_query`), the items of `x.rel` only through a
relationship named `rel` (`@rel:` facts, matched against that relationship's target),
`a.B(...)` as typed only when `a` is an annotated parameter's name, and `x.get(a, b)` as
one row only with a class among its arguments. Findings with and without the gates are
the same on tricky spellings (aliases, `as` imports, async, comprehensions, nested and
decorated functions, related names and reverse accessors); the view-like file is turned
away.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest
from gate_agreement import with_and_without_gates, write_app

import n1fix.engine.runner as runner
from n1fix.config import Config
from n1fix.rules.related_key_via_relationship.gate import KeyPairs, model_key_pairs
from n1fix.rules.related_key_via_relationship.rule import RelatedKeyViaRelationship

RULE = "related-key-via-relationship"

MODELS = """\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    title = models.CharField(max_length=100)


class Chapter(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    number = models.IntegerField()
"""

FOUND = """\
import functools

from app import models as m
from app.models import Book, Chapter as Part


def manager_loop():
    for c in Part.objects.filter(number=1):
        print(c.book.pk)


def aliased_module():
    return [c.book.id for c in m.Chapter.objects.all()]


async def async_loop():
    async for c in Part.objects.filter(number=1):
        print(c.book.pk)


def bound_rows():
    rows = Part.objects.filter(number=2).order_by("number")
    for c in rows:
        print(c.book.pk)


def relation_items(book: Book):
    for c in book.chapter_set:
        print(c.book.pk)


def related_name_items(author: m.Author):
    return {b.author.pk for b in author.books}


def one_row():
    c = Part.objects.get(pk=1)
    return c.book.pk


def outer():
    def inner():
        for c in Part.objects.all():
            yield c.book.pk
    return inner


class Shelf:
    @functools.cache
    def first(self):
        c = m.Chapter.objects.filter(number=1).first()
        return c.book.pk


def built():
    c = Part(number=1)
    return c.book.pk
"""

AWAY = """\
class View:
    def post(self):
        for p in self.cartpositions:
            print(p.book.pk)

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance", None)
        if instance:
            print(instance.book.pk)

    def save(self, serializer):
        c = serializer.save(number=1)
        return c.book.pk

    def fields(self):
        return {f.book.pk: f for f in self.fields.values()}

    def chain(self, book):
        for c in book.author.chapters.all():
            print(c.book.pk)

    def locked(self, qs):
        c = qs.select_for_update().first()
        return c.book.pk
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_app(
        tmp_path, {"models.py": MODELS, "found.py": FOUND, "away.py": AWAY}
    )


def test_findings_are_the_same_with_and_without_the_gates(
    project: Path, monkeypatch
) -> None:
    gated, ungated, turned = with_and_without_gates(project, RULE, monkeypatch)
    assert gated == ungated
    # one finding in each function of found.py
    assert len(gated) == 10
    assert {name.partition(":")[0] for name in gated} == {"found.py"}
    assert "found.py" in turned and "away.py" not in turned


def _survey(source: str) -> list[str]:
    source = textwrap.dedent(source)
    return RelatedKeyViaRelationship().survey(ast.parse(source), source)


def test_the_survey_names_where_each_model_may_come_from() -> None:
    assert _survey(FOUND) == ["@books:author.pk", "book.id", "book.pk"]
    assert _survey(AWAY) == [
        "@cartpositions:book.pk",
        "get:book.pk",
        "save:book.pk",
    ]


@pytest.mark.parametrize(
    "source",
    [
        # a query of rows on a session or a model's `query`, awaited or not
        "async def f(s):\n    for c in (await s.scalars(q)).all():\n        c.book.pk\n",
        "def f(s):\n    for c in s.query(Chapter).filter(x):\n        c.book.pk\n",
        "def f():\n    for c in models.Chapter.query.all():\n        c.book.pk\n",
        # a name bound to one, read in a comprehension
        "def f():\n    rows = Chapter.objects.all()\n    return [c.book.pk for c in rows]\n",
        # a name annotated as a list of rows
        "def f(rows: list[Chapter]):\n    for c in rows:\n        c.book.pk\n",
        # one row by `session.get`, the class given by keyword too
        "def f(s):\n    c = s.get(Chapter, 1)\n    return c.book.pk\n",
        "def f(s):\n    c = s.get(entity=Chapter, ident=1)\n    return c.book.pk\n",
        # a property of an annotated parameter's class (`_typed_model`)
        "def f(db: Registry):\n    c = db.Chapter()\n    return c.book.pk\n",
        "def f(*, db: 'Registry'):\n    c = db.make()\n    return c.book.pk\n",
    ],
)
def test_the_survey_keeps_what_any_model_may_type(source: str) -> None:
    assert _survey(source) == ["book.pk"]


@pytest.mark.parametrize(
    "source, kept",
    [
        # no dialect reads these calls as a query of rows
        ("def f(self):\n    for c in self.rows():\n        c.book.pk\n", []),
        ("def f(b):\n    for c in b.author.chapters.all():\n        c.book.pk\n", []),
        (
            "def f(d):\n    rows = d.values()\n    for c in rows:\n        c.book.pk\n",
            [],
        ),
        # `kwargs` and `serializer` are no annotated parameters: only a model named
        # as the callee may type the name
        (
            "def f(**kwargs):\n    c = kwargs.get('c', None)\n    return c.book.pk\n",
            ["get:book.pk"],
        ),
        (
            "def f(serializer):\n    c = serializer.save()\n    return c.book.pk\n",
            ["save:book.pk"],
        ),
        # the items of `self.forms`: a relationship named `forms` only
        (
            "def f(self):\n    for c in self.forms:\n        c.book.pk\n",
            ["@forms:book.pk"],
        ),
    ],
)
def test_the_survey_narrows_what_no_model_types(source: str, kept: list[str]) -> None:
    assert _survey(source) == kept


def test_the_project_gate_matches_items_of_a_relationship_to_its_target() -> None:
    pairs = KeyPairs(
        frozenset({"book.pk", "author.pk"}),
        {"Chapter": frozenset({"book.pk"})},
        {"chapter_set": frozenset({"book.pk"})},
    )
    assert pairs.any_read(["@chapter_set:book.pk"])
    assert not pairs.any_read(["@chapter_set:author.pk"])  # not the target's
    assert not pairs.any_read(["@forms:book.pk"])  # no relationship `forms`


def test_model_key_pairs_read_the_targets_of_list_like_relationships(
    project: Path,
) -> None:
    result = runner.run(
        [project / "app"], project, Config(select=[RULE], cache=False), jobs=1
    )
    pairs = model_key_pairs(result.project.models)
    assert pairs.by_relationship["chapter_set"] == {"book.id", "book.pk"}
    assert pairs.by_relationship["books"] == {"author.id", "author.pk"}
    # a many-to-one relationship is no loop's items
    assert "book" not in pairs.by_relationship
