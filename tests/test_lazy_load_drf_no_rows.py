"""lazy-load-in-loop's gate turns away a DRF list view whose `queryset` holds no rows the
check reads (`gate._no_rows`): `drf._check_view` reads the class's last one-target
`queryset` with `row_source`, which finds no list of rows in `Book.objects.none()` or a
`values()` chain. On tricky spellings the findings with and without the gate are the
same, and found."""

from __future__ import annotations

import ast
import textwrap

import pytest

from n1fix.rules.lazy_load_in_loop.rule import LazyLoadInLoop
from tests.gate_agreement import with_and_without_gates, write_app
from tests.test_django_lazy_load import MODELS, SERIALIZERS

HEADER = """\
from django.db.models import QuerySet
from rest_framework import generics, viewsets

from app import models
from app.models import Book as Volume
from app.serializers import BookSerializer

"""

# name -> a module's view (below HEADER); the check reports it
REPORTED = {
    "rows_through_an_alias": """
class Books(viewsets.ModelViewSet):
    queryset = Volume.objects.all()
    serializer_class = BookSerializer
""",
    "rows_through_the_module": """
class Books(generics.ListAPIView):
    queryset = models.Book.objects.filter(title__isnull=False).order_by("title")
    serializer_class = BookSerializer
""",
    "rows_annotated": """
class Books(generics.ListAPIView):
    queryset: QuerySet = Volume.objects.all()
    serializer_class = BookSerializer
""",
    "none_then_rows": """
class Books(generics.ListAPIView):
    queryset = Volume.objects.none()
    queryset = Volume.objects.all()
    serializer_class = BookSerializer
""",
    "rows_then_none_of_two_targets": """
class Books(generics.ListAPIView):
    queryset = Volume.objects.all()
    empty = queryset = Volume.objects.none()
    serializer_class = BookSerializer
""",
}

TURNED_AWAY = {
    "no_rows": """
class Books(viewsets.ModelViewSet):
    queryset = Volume.objects.none()
    serializer_class = BookSerializer
""",
    "rows_then_none": """
class Books(generics.ListAPIView):
    queryset = Volume.objects.all()
    queryset = Volume.objects.none()
    serializer_class = BookSerializer
""",
    "values_of_the_rows": """
class Books(generics.ListAPIView):
    queryset = models.Book.objects.filter(title__isnull=False).values("title")
    serializer_class = BookSerializer
""",
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory):
    files = {
        "models.py": textwrap.dedent(MODELS),
        "serializers.py": textwrap.dedent(SERIALIZERS),
    }
    for name, code in {**REPORTED, **TURNED_AWAY}.items():
        files[f"{name}.py"] = HEADER + code
    root = write_app(tmp_path_factory.mktemp("drf-rows"), files)
    monkeypatch = pytest.MonkeyPatch()
    try:
        return with_and_without_gates(root, "lazy-load-in-loop", monkeypatch)
    finally:
        monkeypatch.undo()


def test_the_gate_loses_no_finding_and_every_view_is_found(runs):
    gated, ungated, _ = runs
    assert gated == ungated
    assert {entry.split(".py:")[0] for entry in gated} == set(REPORTED)


def test_the_gate_turns_away_views_without_rows(runs):
    _, _, checked = runs
    assert set(TURNED_AWAY).isdisjoint(name[:-3] for name in checked)
    for name, code in {**REPORTED, **TURNED_AWAY}.items():
        text = HEADER + code
        assert LazyLoadInLoop().gate(ast.parse(text), text) is (name in REPORTED), name


def test_a_queryset_sqlalchemy_may_read_is_left_to_the_check():
    view = (
        "class Books(generics.ListAPIView):\n"
        "    queryset = {}\n"
        "    serializer_class = BookSerializer\n"
    )

    def gate(queryset: str) -> bool:
        text = view.format(queryset)
        return LazyLoadInLoop().gate(ast.parse(text), text)

    assert gate("Book.query.filter(Book.a == 1).none()")
    assert gate("Book.objects.get(Book, 1).none()")
    assert gate("session.query(Book).none()")
    assert gate("books")
    assert gate("Book.objects.select_related('a').prefetch_related('b').iterator()")
    assert not gate("Book.objects.filter(a=1).none()")
    assert not gate("Book.objects.values_list('a', flat=True)")
