"""The Django golden harness itself (golden_django.py): it must catch a wrong after.py.

The cases are made here, in a temporary golden tree, against the djbooks app; each runs on
SQLite in memory and on PostgreSQL where the machine has the server binaries.
"""

from __future__ import annotations

import textwrap

import pytest
from golden_support import CaseError, SQLiteBackend, load_case, normalize
from golden_support import run_scenario_detailed as run
from test_golden import GOLDEN_BACKENDS, check_runs, golden_backend

BEFORE = """\
from djbooks.models import Book, Review


def review_counts(books):
    return {book.pk: Review.objects.filter(book=book).count() for book in books}
"""

SCENARIO = """\
from djbooks.models import Book


def run(module):
    return module.review_counts(list(Book.objects.order_by("pk")))
"""

GROUPED = """\
from django.db.models import Count

from djbooks.models import Book, Review


def review_counts(books):
    counts = dict(
        Review.objects.filter(book__in=books)
        .values_list("book")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {book.pk: counts.get(book.pk, 0) for book in books}
"""


def make_case(tmp_path, after: str | None, toml_extra: str = "", orm: str = "django"):
    case = tmp_path / "query_in_loop" / "django_case"
    case.mkdir(parents=True)
    (case / "before.py").write_text(BEFORE)
    (case / "scenario.py").write_text(SCENARIO)
    if after is not None:
        (case / "after.py").write_text(after)
    (case / "case.toml").write_text(
        textwrap.dedent(
            """\
            description = "a Django case of the harness's own tests"
            findings = []
            """
        )
        + f'orm = "{orm}"\n'
        + toml_extra
        + "\n[run]\nruns = true\n"
    )
    return load_case(case)


@pytest.fixture(params=GOLDEN_BACKENDS)
def backend(request):
    return golden_backend(request, request.param)


def test_a_right_after_passes(tmp_path, backend):
    check_runs(make_case(tmp_path, GROUPED), backend)


def test_an_after_with_another_result_fails(tmp_path, backend):
    wrong = GROUPED.replace("counts.get(book.pk, 0)", "counts.get(book.pk, 1)")
    with pytest.raises(AssertionError, match="changes the result"):
        check_runs(make_case(tmp_path, wrong), backend)


def test_an_after_that_writes_something_else_fails(tmp_path, backend):
    writes = GROUPED.replace(
        "    return {", "    Book.objects.filter(pk=1).update(stock=0)\n    return {"
    )
    with pytest.raises(AssertionError, match="changes the result"):
        check_runs(make_case(tmp_path, writes), backend)


def test_an_after_with_as_many_queries_fails(tmp_path, backend):
    with pytest.raises(AssertionError, match="round trips"):
        check_runs(make_case(tmp_path, BEFORE + "\n# the same code\n"), backend)


def test_an_after_with_more_queries_fails(tmp_path, backend):
    more = BEFORE.replace("    return {", "    list(Book.objects.all())\n    return {")
    with pytest.raises(AssertionError, match="round trips"):
        check_runs(make_case(tmp_path, more), backend)


def test_runs_start_from_the_seed_and_new_rows_get_the_same_ids(tmp_path, backend):
    """What a run writes is rolled back, and the next run's new rows get the same ids
    (PostgreSQL's sequences do not roll back: the harness puts them back)."""
    case = make_case(tmp_path, None)
    (case.path / "scenario.py").write_text(
        textwrap.dedent(
            """\
            from djbooks.models import Review


            def run(module):
                review = Review.objects.create(
                    book_id=2, reviewer="zed", rating=1, created_at="2024-03-02T00:00Z"
                )
                return review.pk, Review.objects.count()
            """
        )
    )
    outcomes = [run(case, "before", backend)[0] for _ in range(2)]
    assert outcomes[0].returned == outcomes[1].returned == (13, 13)
    assert outcomes[0] == outcomes[1]


def test_the_counter_sees_each_statement_once(tmp_path):
    case = make_case(tmp_path, GROUPED)
    outcome, counter = run(case, "before", SQLiteBackend())
    # the scenario's books, then one COUNT per book
    assert counter.count == 1 + 8
    assert counter.rows == 8  # the books built from rows; counts build no instance
    assert outcome.returned == {1: 4, 2: 1, 3: 0, 4: 3, 5: 1, 6: 1, 7: 0, 8: 2}
    assert set(outcome.database) >= {"djbooks_book", "djbooks_book_tags"}


def test_normalize_django_instances_and_refuse_querysets(tmp_path):
    case = make_case(tmp_path, None)
    (case.path / "scenario.py").write_text(
        "from djbooks.models import Book\n\n\n"
        "def run(module):\n    return Book.objects.filter(pk=1)\n"
    )
    with pytest.raises(TypeError, match="QuerySet"):
        run(case, "before", SQLiteBackend())
    from djbooks.models import Book  # Django is configured by the run above

    assert normalize([Book(pk=3), Book()]) == [("Book", 3), ("Book", None)]


@pytest.mark.parametrize(
    "orm,toml_extra,problem",
    [
        ("peewee", "", "`orm` is one of"),
        ("django", 'pending = ""\n', "`pending` must say"),
    ],
)
def test_orm_and_pending_are_checked(tmp_path, orm, toml_extra, problem):
    with pytest.raises(CaseError, match=problem):
        make_case(tmp_path, None, toml_extra, orm)
