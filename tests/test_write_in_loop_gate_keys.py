"""write-in-loop's gate lets a manager's or a queryset's write in a loop through only when
`model_writes` may report it (`gate._may_vary`): it reads a name the loop binds, stands
in no `return` of the loop's body, and for a queryset's write a `filter` / `get` key
reads one (not `filter(pk__in=chunk).delete()` per chunk). On tricky spellings the
findings with and without the gate are the same, and found; on the shapes the check
never reports the gate says no."""

from __future__ import annotations

import ast
import textwrap

import pytest

from n1fix.rules.write_in_loop.gate import gate
from tests.gate_agreement import with_and_without_gates, write_app

MODELS = """\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    title = models.CharField(max_length=100)
    rank = models.IntegerField(default=0)
"""

HEADER = """\
from django.db import IntegrityError

from app import models
from app.models import *
from app.models import Author, Book as Volume

"""

# name -> one module's code below HEADER; reported by the check
REPORTED = {
    "created_through_an_alias": """
def f(authors: list[Author]):
    for author in authors:
        Volume.objects.create(author=author, title="x")
""",
    "created_through_the_module": """
def f(titles: list[str], author: Author):
    for title in titles:
        models.Book.objects.create(author=author, title=title)
""",
    "created_through_a_star_import": """
def f(titles: list[str], author: Author):
    for title in titles:
        Book.objects.get_or_create(author=author, title=title)
""",
    "created_with_a_name_bound_in_the_body": """
def f(authors: list[Author]):
    for author in authors:
        with open(author.name) as handle:
            title = handle.read()
        Volume.objects.create(author=author, title=title)
""",
    "created_in_a_try": """
def f(titles: list[str], author: Author):
    for title in titles:
        try:
            Volume.objects.create(author=author, title=title)
        except IntegrityError:
            continue
""",
    "created_in_a_method": """
class Import:
    def run(self, titles: list[str]):
        for title in titles:
            Volume.objects.update_or_create(title=title, defaults={"rank": 1})
""",
    "created_and_awaited": """
async def f(titles: list[str], author: Author):
    for title in titles:
        await Volume.objects.acreate(author=author, title=title)
""",
    "updated_by_key": """
def f(authors: list[Author]):
    for author in authors:
        Volume.objects.filter(author_id=author.pk).update(rank=1)
""",
    "deleted_by_the_object": """
def f(authors: list[Author]):
    for author in authors:
        Volume.objects.filter(author=author).delete()
""",
    "deleted_by_a_key_beside_a_batch": """
def f(authors: list[Author], ids):
    for author in authors:
        Volume.objects.filter(pk__in=ids).filter(author_id=author.pk).delete()
""",
}

# name -> one module's code below HEADER; the check reports nothing
TURNED_AWAY = {
    "created_then_returned": """
def f(author: Author):
    for attempt in range(20):
        rank = attempt * 2
        try:
            return Volume.objects.create(author=author, rank=rank)
        except IntegrityError:
            continue
""",
    "created_with_the_same_values": """
def f(author: Author, titles):
    for title in titles:
        print(title)
        Volume.objects.create(author=author, title="x")
""",
    "deleted_by_chunks": """
def f(ids: list[int]):
    for chunk in (ids[i : i + 100] for i in range(0, len(ids), 100)):
        Volume.objects.filter(pk__in=chunk).delete()
""",
    "updated_by_groups": """
def f(groups):
    for key, rows in groups:
        Volume.objects.filter(pk__in=[r.pk for r in rows]).update(rank=key)
""",
    "deleted_through_two_relations": """
def f(authors: list[Author]):
    for author in authors:
        Volume.objects.filter(author__name__startswith=author.name).delete()
""",
    "excluded_then_deleted": """
def f(authors: list[Author]):
    for author in authors:
        Volume.objects.exclude(pk=author.pk).delete()
""",
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory):
    files = {"models.py": MODELS}
    for name, code in {**REPORTED, **TURNED_AWAY}.items():
        files[f"{name}.py"] = HEADER + code
    root = write_app(tmp_path_factory.mktemp("write-keys"), files)
    monkeypatch = pytest.MonkeyPatch()
    try:
        return with_and_without_gates(root, "write-in-loop", monkeypatch)
    finally:
        monkeypatch.undo()


def test_the_gate_loses_no_finding_and_every_write_is_found(runs):
    gated, ungated, _ = runs
    assert gated == ungated
    assert {entry.split(".py:")[0] for entry in gated} == set(REPORTED)


def test_the_gate_turns_away_writes_that_never_change_per_item(runs):
    _, _, checked = runs
    assert checked == {f"{name}.py" for name in REPORTED}
    for name, code in {**REPORTED, **TURNED_AWAY}.items():
        text = HEADER + code
        assert gate(ast.parse(text), text) is (name in REPORTED), name


def _gate(source: str) -> bool:
    text = textwrap.dedent(source)
    return gate(ast.parse(text), text)


def test_a_queryset_chain_sqlalchemy_may_read_counts_any_name():
    loop = "for x in xs:\n    {}\n"
    assert _gate(loop.format("Book.query.filter(Book.k.in_(x)).delete()"))
    assert _gate(loop.format("Book.objects.get(Book, x).delete()"))
    assert not _gate(loop.format("Book.objects.filter(k__in=x).delete()"))
    assert _gate(loop.format("Book.objects.filter(k=x).delete()"))
    assert _gate(loop.format("Book.objects.get(k=x).delete()"))
    # a `return` of another loop's body, or of a function inside the loop, ends nothing
    assert _gate(
        "for x in xs:\n    def f():\n        return 1\n    Book.objects.create(k=x)\n"
    )
    assert _gate(
        "def g():\n    for x in xs:\n        for y in x:\n            return y\n"
        "        Book.objects.create(k=x)\n"
    )
