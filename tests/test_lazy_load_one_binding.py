"""lazy-load-in-loop's survey reads a loop over a name only where `row_source` may read
that name's one binding (`gate._OneBinding`): in a function that binds the name twice,
or only as a parameter or a loop target, or once to a value that is no query nor a
helper's, the check finds no rows. Findings with and without the gates are equal on
tricky spellings (an alias, a helper, a comprehension, `enumerate`, nested and decorated
functions, an annotated assignment, `a = b = query`), and the file whose loops are all
such is turned away.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from gate_agreement import with_and_without_gates, write_app

from n1fix.rules.lazy_load_in_loop.gate import attributes_of_loop_names

RULE = "lazy-load-in-loop"

MODELS = """\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    title = models.CharField(max_length=100)


class Shelf(models.Model):
    label = models.CharField(max_length=100)


class Slot(models.Model):
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE)
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
"""

FOUND = """\
import functools

from app import models as m
from app.models import Book as Volume


def bound_once():
    rows = Volume.objects.filter(title="a")
    for b in rows:
        print(b.author.name)


def annotated(xs):
    rows: list = m.Book.objects.all()
    return [b.author.name for b in rows]


def _books():
    return Volume.objects.all()


def through_a_helper():
    books = _books()
    for i, b in enumerate(books):
        print(i, b.author.name)


def two_names():
    slots = chosen = m.Slot.objects.all()
    for s in chosen:
        print(s.shelf.label)


def outer():
    rows = Volume.objects.all()

    @functools.cache
    def inner():
        shelves = m.Slot.objects.all()
        for s in shelves:
            print(s.book.title)

    return rows, inner
"""

AWAY = """\
from app.models import Book, Slot


def somewhere():
    rows = Book.objects.all()
    slots = Slot.objects.all()
    return rows, slots


def bound_twice(title):
    rows = Book.objects.all()
    rows = rows.filter(title=title)
    for b in rows:
        print(b.author.name)


def a_parameter(rows):
    for b in rows:
        print(b.author.name)


def a_loop_target(groups):
    for slots in groups:
        for s in slots:
            print(s.shelf.label)


def no_query(make):
    rows = make()
    return [b.author.name for b in rows]


async def twice_in_async(flag):
    slots = Slot.objects.all()
    if flag:
        slots = Slot.objects.filter(shelf=None)
    for s in sorted(slots, key=str):
        print(s.shelf.label)
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
    assert [name.partition(":")[0] for name in gated] == ["found.py"] * 5
    assert "found.py" in turned and "away.py" not in turned


def test_the_survey_reads_only_loops_over_one_query_binding() -> None:
    assert attributes_of_loop_names(ast.parse(FOUND)) == {"author", "shelf", "book"}
    assert attributes_of_loop_names(ast.parse(AWAY)) == set()
    # the same loops, each name bound once to a query, are read
    once = AWAY.replace("    rows = rows.filter(title=title)\n", "").replace(
        "def a_parameter(rows):\n",
        "def a_parameter():\n    rows = Book.objects.all()\n",
    )
    assert attributes_of_loop_names(ast.parse(once)) == {"author"}
