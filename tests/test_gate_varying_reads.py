"""query-in-loop's gate counts a query in a loop only when it reads what changes per
item in a way the check can key or report (`rules/query_in_loop/varying_reads.py`): not
a lookup retried with the same arguments, nor a Django batch by chunks
(`filter(pk__in=chunk)`). On tricky spellings the findings with and without the gate are
the same, and found; on the shapes the check never reports the gate says no.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from n1fix.rules.query_in_loop.rule import QueryInLoop
from tests.gate_agreement import modules_per_function, spelling_runs

DJANGO_MODELS = """\
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

# One function per module (with the imports above the first function): a gate reads a
# whole file, so one spelling must not let another in.
DJANGO_SPELLINGS = """\
from django.db import IntegrityError

from app import models
from app.models import *
from app.models import Author, Book as Volume


def key_through_an_alias(authors: list[Author]):
    for author in authors:
        print(Volume.objects.filter(author_id=author.pk).first())


def key_through_the_module(authors: list[Author]):
    return [models.Book.objects.get(pk=a.pk) for a in authors]


def key_through_a_star_import(authors: list[Author]):
    return [Book.objects.filter(author_id=a.pk).count() for a in authors]


def key_bound_in_the_body(authors: list[Author]):
    for author in authors:
        key = author.pk
        print(Volume.objects.filter(author_id=key).exists())


def key_of_a_related_model(authors: list[Author]):
    for author in authors:
        print(Volume.objects.filter(author__pk=author.pk).count())


def key_as_the_object(authors: list[Author]):
    for author in authors:
        print(Volume.objects.filter(author=author).count())


def key_with_exact(authors: list[Author]):
    for author in authors:
        print(Volume.objects.filter(author_id__exact=author.pk).count())


def key_beside_a_batch(authors: list[Author], ids):
    for author in authors:
        print(Volume.objects.filter(pk__in=ids, author_id=author.pk).count())


def key_of_an_outer_loop(authors: list[Author], titles):
    for author in authors:
        for title in titles:
            print(Volume.objects.filter(author_id=author.pk, rank=1).count(), title)


def key_in_a_walrus(authors: list[Author]):
    return [Volume.objects.filter(author_id=(k := a.pk)).count() + k for a in authors]


def key_in_a_lambda(authors: list[Author]):
    for author in authors:
        print(Volume.objects.filter(author_id=(lambda: author.pk)()).count())


def case_insensitive_lookup(titles: list[str]):
    for title in titles:
        print(Volume.objects.filter(title__iexact=title).count())


def case_insensitive_exclusion(titles: list[str]):
    for title in titles:
        print(Volume.objects.exclude(title__iexact=title).count())


def case_insensitive_through_a_relation(names: list[str]):
    for name in names:
        print(Volume.objects.filter(author__name__iexact=name).count())


async def awaited(authors: list[Author]):
    for author in authors:
        print(await Volume.objects.filter(author_id=author.pk).afirst())


async def async_get(authors: list[Author]):
    return [await Volume.objects.aget(pk=a.pk) async for a in authors]


def in_a_decorated_function(authors: list[Author]):
    @staticmethod
    def inner():
        for author in authors:
            yield Volume.objects.filter(author_id=author.pk).first()

    return inner


def a_lookup_retried(author: Author):
    for attempt in range(20):
        uid = attempt * 2
        try:
            return Volume.objects.create(author=author, rank=uid)
        except IntegrityError:
            try:
                return Volume.objects.get(author=author, rank=1)
            except Volume.DoesNotExist:
                continue


def a_batch_by_chunks(ids: list[int], author: Author):
    for chunk in (ids[i : i + 100] for i in range(0, len(ids), 100)):
        books = Volume.objects.filter(pk__in=chunk, author=author)
        for book in books:
            print(book)


def a_batch_deleted(groups):
    for key, rows in groups:
        Volume.objects.filter(pk__in=[r.pk for r in rows]).delete()


def a_batch_in_a_comprehension(groups):
    return [list(Volume.objects.filter(id__in=g).order_by(f"-{g}")) for g in groups]


def a_lookup_through_two_relations(authors: list[Author]):
    for author in authors:
        print(Volume.objects.filter(author__name__startswith=author.name).count())


def an_exclusion(authors: list[Author]):
    for author in authors:
        print(Volume.objects.exclude(pk=author.pk).count())


def an_order_per_item(fields):
    for field in fields:
        print(Volume.objects.filter(rank=1).order_by(field).first())


def a_filter_of_q_objects(authors: list[Author], q):
    for author in authors:
        print(Volume.objects.filter(q(author=author)).count())
"""

DJANGO_TURNED_AWAY = [
    "a_lookup_retried",
    "a_batch_by_chunks",
    "a_batch_deleted",
    "a_batch_in_a_comprehension",
    "a_lookup_through_two_relations",
    "an_exclusion",
    "an_order_per_item",
    "a_filter_of_q_objects",
]

# Let through (the gate cannot tell), not reported: the check reads no key in them.
DJANGO_UNREPORTED = ["case_insensitive_exclusion"]

SQLALCHEMY_MODELS = """\
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
"""

SQLALCHEMY_SPELLINGS = """\
import sqlalchemy as sa
from sqlalchemy import select

from app.models import Author, Book


def a_statement_bound_in_the_body(session, authors: list[Author]):
    for author in authors:
        stmt = select(Book).where(Book.author_id == author.id)
        print(session.scalars(stmt).all())


def a_query_built_in_steps(session, authors: list[Author]):
    for author in authors:
        q = session.query(Book)
        print(q.filter_by(author_id=author.id).first())


def a_result_read_on_the_next_line(session, authors: list[Author]):
    for author in authors:
        result = session.execute(sa.select(Book).where(Book.author_id == author.id))
        print(result.scalars().first())


def a_get_by_key(session, ids: list[int]):
    return [session.get(Book, i) for i in ids]


def a_key_bound_by_with(session, authors: list[Author], opener):
    for author in authors:
        with opener(author) as key:
            print(session.scalars(select(Book).where(Book.author_id == key)).first())


def a_query_that_never_changes(session, authors: list[Author]):
    for author in authors:
        print(session.scalars(select(Book).where(Book.author_id == 1)).first(), author)


def a_get_that_never_changes(session, authors: list[Author]):
    return [(session.get(Book, 1), a) for a in authors]
"""

SQLALCHEMY_TURNED_AWAY = ["a_query_that_never_changes", "a_get_that_never_changes"]


@pytest.fixture(scope="module")
def django_runs(tmp_path_factory: pytest.TempPathFactory):
    return spelling_runs(
        tmp_path_factory.mktemp("varying-django"),
        DJANGO_MODELS,
        DJANGO_SPELLINGS,
        "query-in-loop",
    )


@pytest.fixture(scope="module")
def sqlalchemy_runs(tmp_path_factory: pytest.TempPathFactory):
    return spelling_runs(
        tmp_path_factory.mktemp("varying-sqlalchemy"),
        SQLALCHEMY_MODELS,
        SQLALCHEMY_SPELLINGS,
        "query-in-loop",
    )


def _found_in(result) -> set[str]:
    return {Path(f.path).stem for f in result.findings if f.rule == "query-in-loop"}


def _same_findings(gated, ungated) -> bool:
    return sorted((f.to_json() for f in gated.findings), key=repr) == sorted(
        (f.to_json() for f in ungated.findings), key=repr
    )


@pytest.mark.parametrize(
    "runs, spellings, unreported",
    [
        ("django_runs", DJANGO_SPELLINGS, DJANGO_TURNED_AWAY + DJANGO_UNREPORTED),
        ("sqlalchemy_runs", SQLALCHEMY_SPELLINGS, SQLALCHEMY_TURNED_AWAY),
    ],
)
def test_the_gate_loses_no_finding_and_every_key_is_found(
    request, runs, spellings, unreported
):
    gated, ungated = request.getfixturevalue(runs)
    assert _same_findings(gated, ungated)
    assert _found_in(gated) == set(modules_per_function(spellings)) - set(unreported)


@pytest.mark.parametrize(
    "spellings, away",
    [
        (DJANGO_SPELLINGS, DJANGO_TURNED_AWAY),
        (SQLALCHEMY_SPELLINGS, SQLALCHEMY_TURNED_AWAY),
    ],
)
def test_the_gate_turns_away_what_never_changes_per_item(spellings, away):
    for name, text in modules_per_function(spellings).items():
        assert QueryInLoop().gate(ast.parse(text), text) is (name not in away), name


def _gate(source: str) -> bool:
    source = textwrap.dedent(source)
    return QueryInLoop().gate(ast.parse(source), source)


def test_names_bound_anywhere_in_the_loop_count():
    loop = "for x in xs:\n    {}\n    Book.objects.get(pk=k)\n"
    assert _gate(loop.format("k = x"))
    assert _gate(loop.format("k += 1"))
    assert _gate(loop.format("with f() as k: pass"))
    assert _gate(loop.format("try: pass\n    except E as k: pass"))
    assert _gate(loop.format("import k"))
    assert _gate(loop.format("def k(): pass"))
    assert _gate(loop.format("(k := 1)"))
    assert _gate(loop.format("for k in ys: pass"))
    assert _gate(loop.format("match x:\n        case {'a': k}: pass"))
    assert not _gate(loop.format("j = x"))
    # the target of a loop around the loop, and a comprehension's own target
    assert _gate("for k in ks:\n    for x in xs:\n        Book.objects.get(pk=k)\n")
    assert _gate("[Book.objects.get(pk=k) for x in xs for k in x]\n")
    # not the names of a loop the query is not per item of
    assert not _gate(
        "for k in ks:\n    pass\nfor x in xs:\n    Book.objects.get(pk=k)\n"
    )
    assert not _gate(
        "for k in ks:\n    def f():\n        for x in xs:\n            Book.objects.get(pk=k)\n"
    )


def test_a_chain_reads_every_part_up_to_its_top():
    loop = "for x in xs:\n    {}\n"
    # SQLAlchemy: any name of the query, in any call of its chain
    assert _gate(loop.format("session.query(Book).filter(Book.k == x).first()"))
    assert _gate(loop.format("session.query(Book).order_by(x).all()"))
    assert _gate(
        loop.format("(await session.execute(select(Book).where(Book.k == x))).first()")
    )
    assert _gate(loop.format("Book.query.filter_by(k=x).all()"))
    assert _gate(loop.format("session.execute(select(Book).where(Book.k.in_(x)))"))
    assert not _gate(loop.format("session.query(Book).filter(Book.k == 1).first()"))
    # a 1.x Query bound to a name may be read with a key on a later line
    assert _gate(loop.format("q = session.query(Book)"))
    assert _gate(loop.format("q = Book.query.filter(Book.a == 1)"))
    # Django: keys and `__iexact` in filter / get / aget, `__iexact` in exclude
    assert _gate(loop.format("Book.objects.filter(a=1).filter(b=x).count()"))
    assert _gate(loop.format("Book.objects.get(a__b=x)"))
    assert _gate(loop.format("Book.objects.filter(a__b__exact=x).count()"))
    assert _gate(loop.format("Book.objects.filter(a__b__c__iexact=x).count()"))
    assert _gate(loop.format("Book.objects.exclude(a__iexact=x).count()"))
    assert _gate(loop.format("Book.objects.filter(a=1)[:3].get(b=x)"))
    assert not _gate(loop.format("Book.objects.filter(a__b__c=x).count()"))
    assert not _gate(loop.format("Book.objects.filter(a__in=x).count()"))
    assert not _gate(loop.format("Book.objects.exclude(a=x).count()"))
    assert not _gate(loop.format("Book.objects.filter(**x).count()"))
    assert not _gate(loop.format("Book.objects.filter(a=1).values_list(x)[:x].first()"))
    # a chain SQLAlchemy may read on `Cls.attr` is read as any query
    assert _gate(loop.format("Book.objects.get(Book, x)"))
    assert _gate(loop.format("Book.objects.filter(a__in=x).execute()"))
