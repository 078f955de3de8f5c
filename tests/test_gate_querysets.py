"""query-in-loop's gate reads a QuerySet on a manager as the check does
(`rules/query_in_loop/kept_querysets.py`): a chain of row methods only
(`Book.objects.filter(...).order_by(...)`) counts where it may be run (iterated where it
stands, consumed by `list()` / `sorted()` / `enumerate()`..., bound to a name read as rows
or read through on the next line, sliced, awaited) and not where it stays an object (a
subquery, an argument, an attribute read). On tricky spellings the findings with and
without the gate are the same, and found; on the subqueries the gate says no.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from n1fix.rules.query_in_loop.kept_querysets import CONSUMING_CALLS, ROW_CHAIN
from n1fix.rules.query_in_loop.rule import QueryInLoop
from tests.gate_agreement import modules_per_function, spelling_runs

MODELS = """\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    title = models.CharField(max_length=100)
    rank = models.IntegerField(default=0)

    class Meta:
        ordering = ["pk"]
"""

# One function per spelling, each in a module of its own (with the imports above the
# first function): a gate reads a whole file, so one spelling must not let another in.
SPELLINGS = """\
from django.db.models import Exists, OuterRef

from app import models
from app.models import Author, Book as Volume


def iterated_in_the_loop(authors: list[Author]):
    for author in authors:
        for book in Volume.objects.filter(author_id=author.pk):
            print(book.title)


def ordered_and_iterated(authors: list[Author]):
    for author in authors:
        for book in Volume.objects.filter(author_id=author.pk).order_by("title").all():
            print(book.title)


def through_the_module(authors: list[Author]):
    for author in authors:
        for book in models.Book.objects.filter(author_id=author.pk):
            print(book.title)


def consumed_by_list(authors: list[Author]):
    return [list(Volume.objects.filter(author_id=a.pk)) for a in authors]


def consumed_by_sorted(authors: list[Author]):
    out = []
    for author in authors:
        out.append(sorted(Volume.objects.exclude(rank=0).filter(author_id=author.pk)))
    return out


def enumerated(authors: list[Author]):
    for author in authors:
        for i, book in enumerate(Volume.objects.filter(author_id=author.pk)):
            print(i, book)


def inner_comprehension(authors: list[Author]):
    return [b.title for a in authors for b in Volume.objects.filter(author_id=a.pk)]


def bound_then_iterated(authors: list[Author]):
    result = {}
    for author in authors:
        books = Volume.objects.filter(author_id=author.pk)
        result[author.pk] = [book.title for book in books]
    return result


def bound_then_read_through(authors: list[Author]):
    firsts = []
    for author in authors:
        books = Volume.objects.filter(author_id=author.pk)
        first = books.first()
        firsts.append(first)
    return firsts


def terminal_in_the_chain(authors: list[Author]):
    return [Volume.objects.filter(author_id=a.pk).order_by("pk").first() for a in authors]


def counted(authors: list[Author]):
    return {a.pk: Volume.objects.all().filter(author_id=a.pk).count() for a in authors}


def sliced(authors: list[Author]):
    for author in authors:
        for book in Volume.objects.filter(author_id=author.pk).order_by("-rank")[:3]:
            print(book)


def values_of_a_column(authors: list[Author]):
    for author in authors:
        print(Volume.objects.filter(author_id=author.pk).values_list("title", flat=True))


async def awaited(authors: list[Author]):
    for author in authors:
        print(await Volume.objects.filter(author_id=author.pk).afirst())


def in_a_nested_function(authors: list[Author]):
    def titles(author):
        return [b.title for b in Volume.objects.filter(author_id=author.pk)]

    for author in authors:
        print([b.title for b in Volume.objects.filter(author_id=author.pk)])
    return titles


def decorated(authors: list[Author]):
    @staticmethod
    def inner():
        for author in authors:
            for book in Volume.objects.filter(author_id=author.pk):
                yield book

    return inner


def a_subquery(authors: list[Author], titles):
    qs = Author.objects.all()
    for t in titles:
        qs = qs.filter(Exists(Volume.objects.filter(author=OuterRef("pk"), title=t)))
    return qs


def a_subquery_through_a_name(authors: list[Author], titles):
    qs = Author.objects.all()
    for i, t in enumerate(titles):
        written = Volume.objects.filter(author=OuterRef("pk"), title=t).order_by()
        qs = qs.annotate(**{f"wrote_{i}": Exists(written)})
    return qs


def an_argument(authors: list[Author], pick):
    for author in authors:
        pick(Volume.objects.filter(author_id=author.pk), author)


def its_query_attribute(authors: list[Author]):
    for author in authors:
        print(Volume.objects.filter(author_id=author.pk).query)
"""

# The spellings the gate turns away: the check reports nothing in them.
TURNED_AWAY = [
    "a_subquery",
    "a_subquery_through_a_name",
    "an_argument",
    "its_query_attribute",
]


@pytest.fixture(scope="module")
def both_runs(tmp_path_factory: pytest.TempPathFactory):
    return spelling_runs(
        tmp_path_factory.mktemp("querysets"), MODELS, SPELLINGS, "query-in-loop"
    )


def _found_in(result) -> list[str]:
    return sorted(
        Path(f.path).stem for f in result.findings if f.rule == "query-in-loop"
    )


def test_the_gate_loses_no_finding(both_runs):
    gated, ungated = both_runs
    assert sorted((f.to_json() for f in gated.findings), key=repr) == sorted(
        (f.to_json() for f in ungated.findings), key=repr
    )


def test_every_spelling_is_found(both_runs):
    gated, _ = both_runs
    found = set(_found_in(gated))
    assert found == set(modules_per_function(SPELLINGS)) - set(TURNED_AWAY)


def test_the_gate_turns_away_querysets_that_stay_objects():
    for name, text in modules_per_function(SPELLINGS).items():
        tree = ast.parse(text)
        assert QueryInLoop().gate(tree, text) is (name not in TURNED_AWAY), name


def test_a_chain_the_check_may_run_is_kept_in_any_place():
    def gate(source: str) -> bool:
        source = textwrap.dedent(source)
        return QueryInLoop().gate(ast.parse(source), source)

    loop = "for x in xs:\n    {}\n"
    # the place decides for a chain of row methods only
    assert gate(loop.format("for y in Book.objects.filter(k=x): pass"))
    assert gate(loop.format("async for y in Book.objects.filter(k=x): pass"))
    assert gate(loop.format("ys = tuple(*Book.objects.filter(k=x))"))
    assert gate(loop.format("ys = dict(**Book.objects.filter(k=x))"))
    assert gate(loop.format("ys = (await Book.objects.filter(k=x))"))
    assert gate(loop.format("ys = Book.objects.filter(k=x)[0]"))
    assert gate(loop.format("ys = Book.objects.filter(k=x)\n    print(ys.count())"))
    assert gate(loop.format("ys = Book.objects.filter(k=x)\nfor y in ys: pass"))
    assert gate(loop.format("ys = Book.objects.filter(k=x)\nz = set(ys)"))
    assert not gate(loop.format("ys = Book.objects.filter(k=x)\nz = Exists(ys)"))
    assert not gate(loop.format("ys: Q = Book.objects.filter(k=x)\nfor y in ys: pass"))
    assert not gate(loop.format("a = b = Book.objects.filter(k=x)\nfor y in a: pass"))
    assert not gate(loop.format("f(list, Book.objects.filter(k=x))"))
    assert not gate(loop.format("builtins.list(Book.objects.filter(k=x))"))
    # any other method in the chain, on either side, may run it
    assert gate(loop.format("f(Book.objects.filter(k=x).latest('id'))"))
    assert gate(loop.format("f(Book.objects.values('a').filter(k=x))"))
    assert gate(loop.format("f(Book.objects.filter(k=x).custom())"))
    assert gate(loop.format("f(Book.objects.filter(k=x).exists())"))
    # Flask-SQLAlchemy's `Model.query` is no manager; a session's query is SQLAlchemy's
    assert gate(loop.format("f(Book.query.filter(Book.k == x))"))
    assert gate(loop.format("f(session.query(Book).filter(Book.k == x))"))


def test_the_copied_sets_match_the_check():
    from n1fix.analysis.loop_placement import CONSUMERS
    from n1fix.orm.django_dialect import _CHAIN
    from n1fix.rules.query_in_loop.analysis import _COPIES

    assert ROW_CHAIN == _CHAIN
    assert CONSUMING_CALLS == CONSUMERS | {"enumerate"}
    assert _COPIES <= CONSUMING_CALLS
