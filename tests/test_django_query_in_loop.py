"""query-in-loop on Django code: the finding, its fix, and the fix run on Django's ORM.

Each case writes a small Django app to a temporary project, fixes its service module
with n1fix (in process), then runs the original and the fixed function in a subprocess
with Django configured on in-memory SQLite (nothing of n1fix imports Django): equal
results, and the number of queries counted with `CaptureQueriesContext`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from n1fix.engine.api import fix_source, scan_source
from n1fix.rules.base import Applicability

pytest.importorskip("django")

MODELS = """
    from django.db import models


    class RankedManager(models.Manager):
        def get_queryset(self):
            return super().get_queryset().filter(rank__gt=0)


    class Author(models.Model):
        name = models.CharField(max_length=100)

        class Meta:
            app_label = "app"


    class Book(models.Model):
        author = models.ForeignKey(Author, on_delete=models.CASCADE)
        title = models.CharField(max_length=100)
        rank = models.IntegerField(default=0)

        objects = models.Manager()
        ranked = RankedManager()

        class Meta:
            app_label = "app"


    class Chapter(models.Model):
        book = models.ForeignKey(Book, on_delete=models.CASCADE)
        number = models.IntegerField()

        class Meta:
            app_label = "app"
            ordering = ["-number", "pk"]
"""

SERVICE = """
    from app.models import Author, Book, Chapter


    def books_by_author(authors: list[Author]) -> dict[int, list[str]]:
        result = {}
        for author in authors:
            books = Book.objects.filter(author_id=author.pk).order_by("title")
            result[author.pk] = [book.title for book in books]
        return result


    def first_books(authors: list[Author]) -> list[str | None]:
        firsts = []
        for author in authors:
            book = Book.objects.filter(author=author.pk).first()
            firsts.append(book.title if book else None)
        return firsts


    def last_books(authors: list[Author]) -> list[str | None]:
        lasts = []
        for author in authors:
            book = Book.objects.filter(author__pk=author.id).order_by("rank", "pk").last()
            lasts.append(book.title if book else None)
        return lasts


    def latest_chapters(books: list[Book]) -> list[int | None]:
        out = []
        for book in books:
            chapter = Chapter.objects.filter(book_id=book.id).first()
            out.append(chapter.number if chapter else None)
        return out


    def counts(authors: list[Author]) -> list[int]:
        return [Book.objects.filter(author__pk=author.id).count() for author in authors]


    def titles(books: list[Book]) -> list[str]:
        out = []
        for book in books:
            out.append(Book.objects.get(pk=book.pk).title)
        return out


    def with_books(authors: list[Author]) -> list[str]:
        names = []
        for author in authors:
            if Book.objects.filter(author=author, rank=0).exists():
                names.append(author.name)
        return names


    def ranked(authors: list[Author]) -> dict[str, list[str]]:
        out = {}
        for author in authors:
            out[author.name] = [b.title for b in Book.ranked.filter(author=author)]
        return out
"""

RUNNER = """
import json, sys
import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["app"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
)
django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from app.models import Author, Book, Chapter

with connection.schema_editor() as editor:
    for model in (Author, Book, Chapter):
        editor.create_model(model)
authors = [Author.objects.create(name=f"a{i}") for i in range(4)]
for i, author in enumerate(authors[:3]):
    for j in range(i + 1):
        book = Book.objects.create(author=author, title=f"t{3 - j}-{i}", rank=j % 2)
        for n in range(j + 1):
            Chapter.objects.create(book=book, number=n)
books = list(Book.objects.order_by("pk"))

import importlib
module = importlib.import_module(sys.argv[1])
out = {}
for name, arg in [
    ("books_by_author", authors),
    ("first_books", authors),
    ("last_books", authors),
    ("latest_chapters", books),
    ("counts", authors),
    ("titles", books),
    ("with_books", authors),
    ("ranked", authors),
]:
    with CaptureQueriesContext(connection) as queries:
        result = getattr(module, name)(arg)
    out[name] = {"result": result, "queries": len(queries)}
print(json.dumps(out))
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("djangoapp")
    _write(
        root,
        {
            "pyproject.toml": "[project]\nname = 'x'\nversion = '0'\n",
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/service.py": SERVICE,
        },
    )
    service = root / "app" / "service.py"
    text = service.read_text()
    findings = scan_source(service, text)
    outcome = fix_source(service, text, unsafe_fixes=False)
    (root / "app" / "fixed.py").write_text(outcome.text)
    return root, findings, outcome


def _run(root: Path, module: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, module],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_per_item_query_is_found_and_fixed_safely(fixed) -> None:
    _, findings, outcome = fixed
    lines = sorted(f.line for f in findings if f.rule == "query-in-loop")
    assert len(lines) == 8, [f.message for f in findings]
    assert all(f.applicability is Applicability.SAFE for f in findings), [
        f.message for f in findings
    ]
    assert not outcome.failures, outcome.failures
    assert len(outcome.applied) == 8


def test_the_fix_writes_django_querysets(fixed) -> None:
    _, _, outcome = fixed
    text = outcome.text
    assert 'filter(author_id__in=author_ids).order_by("title")' in text
    assert "filter(author__in=author_ids)" in text  # the lookup as the query spells it
    assert "Book.objects.in_bulk(book_ids)" in text
    assert '.order_by("pk")' in text  # .first() on an unordered query
    assert ".reverse()" in text  # .last()
    assert 'Count("pk")' in text and "from django.db.models import Count" in text
    assert "in_(" not in text and "select(" not in text
    assert "Book.ranked.filter(author__in=author_ids)" in text  # the manager kept
    assert 'values_list("author", flat=True)' in text  # exists: the keys with rows


def test_before_and_after_give_the_same_results_with_fewer_queries(fixed) -> None:
    root, _, _ = fixed
    before = _run(root, "app.service")
    after = _run(root, "app.fixed")
    for name in before:
        assert after[name]["result"] == before[name]["result"], name
        assert after[name]["queries"] == 1, (name, after[name])
        assert before[name]["queries"] > 1, (name, before[name])


def test_the_message_says_what_is_proven(fixed) -> None:
    _, findings, _ = fixed
    by_line = {f.line: f.message for f in findings}
    messages = "\n".join(by_line.values())
    assert "each key's rows in the query's own `order_by`" in messages
    assert "Meta.ordering` ['-number', 'pk']" in messages
    assert "raises `DoesNotExist` as before" in messages
    assert "a key without rows counts 0" in messages


UNSAFE_OR_NONE = """
    from app.models import Author, Book


    def by_untyped_values(values):
        return [Book.objects.filter(author=value).count() for value in values]


    def read_twice(authors: list[Author]) -> list[int]:
        out = []
        for author in authors:
            books = Book.objects.filter(author_id=author.pk)
            out.append(len(list(books)) + len(list(books)))
        return out


    def handled(ids: list[int]) -> list[str | None]:
        out = []
        for book_id in ids:
            try:
                book = Book.objects.get(pk=book_id)
            except Book.DoesNotExist:
                out.append(None)
                continue
            out.append(book.title)
        return out


    def handled_broadly(ids: list[int]) -> list[str | None]:
        out = []
        for book_id in ids:
            try:
                book = Book.objects.get(pk=book_id)
            except Exception:
                out.append(None)
                continue
            out.append(book.title)
        return out


    def first_ranked(authors: list[Author]) -> list[Book | None]:
        return [Book.ranked.filter(author=author).first() for author in authors]
"""


def test_what_is_not_proven_is_not_called_safe(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'x'\nversion = '0'\n",
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/other.py": UNSAFE_OR_NONE,
        },
    )
    path = tmp_path / "app" / "other.py"
    found = {
        f.line: f
        for f in scan_source(path, path.read_text())
        if f.rule == "query-in-loop"
    }
    untyped, handled, broadly, first = (found[line] for line in sorted(found))
    # `author=value`: `value` may be a key or an Author; `.pk` is only proven for rows
    assert untyped.applicability is Applicability.NONE
    assert "may be a key rather than a row" in untyped.message
    # the loop handles a missing row itself: a key in_bulk did not find reruns the
    # get() inside the same `try`, and the batch raises no DoesNotExist outside it
    assert handled.applicability is Applicability.SAFE
    # ... but a handler of any exception would have caught the query's database errors,
    # which the batch raises outside the `try`
    assert broadly.applicability is Applicability.UNSAFE
    # a manager whose get_queryset() is the project's may order: which row is first?
    assert first.applicability is Applicability.UNSAFE
    assert "order of `Book` rows is not known" in first.message


ASYNC_SERVICE = """
    from app.models import Author, Book


    async def firsts(authors: list[Author]) -> list[str | None]:
        out = []
        for author in authors:
            book = await Book.objects.filter(author_id=author.pk).afirst()
            out.append(book.title if book else None)
        return out


    async def counts(authors: list[Author]) -> list[int]:
        out = []
        for author in authors:
            out.append(await Book.objects.filter(author_id=author.pk).acount())
        return out


    async def got(books: list[Book]) -> list[str]:
        out = []
        for book in books:
            out.append((await Book.objects.aget(pk=book.pk)).title)
        return out
"""

ASYNC_RUNNER = """
import asyncio, json, sys
import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["app"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": sys.argv[2]}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
)
django.setup()
from django.db import connection
from app.models import Author, Book, Chapter


def seed():
    with connection.schema_editor() as editor:
        for model in (Author, Book, Chapter):
            editor.create_model(model)
    authors = [Author.objects.create(name=f"a{i}") for i in range(4)]
    for i, author in enumerate(authors[:3]):
        for j in range(i + 1):
            Book.objects.create(author=author, title=f"t{3 - j}-{i}")
    return authors, list(Book.objects.order_by("pk"))


# The async API runs queries on a worker thread's connection: count every cursor's.
from django.db.backends import utils

executed = [0]
_execute = utils.CursorWrapper._execute


def counting(self, *args, **kwargs):
    executed[0] += 1
    return _execute(self, *args, **kwargs)


utils.CursorWrapper._execute = counting


def measure(module, name, arg):
    executed[0] = 0
    result = asyncio.run(getattr(module, name)(arg))
    return {"result": result, "queries": executed[0]}


import importlib
authors, books = seed()
module = importlib.import_module(sys.argv[1])
out = {
    name: measure(module, name, arg)
    for name, arg in [("firsts", authors), ("counts", authors), ("got", books)]
}
print(json.dumps(out))
"""


def test_the_async_api_is_batched_with_its_async_calls(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'x'\nversion = '0'\n",
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/service.py": ASYNC_SERVICE,
        },
    )
    service = tmp_path / "app" / "service.py"
    outcome = fix_source(service, service.read_text())
    assert len(outcome.applied) == 3, [f.message for f in outcome.findings]
    assert "async for row in" in outcome.text and "ain_bulk(" in outcome.text
    (tmp_path / "app" / "fixed.py").write_text(outcome.text)
    runs = {}
    for module in ("app.service", "app.fixed"):
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                ASYNC_RUNNER,
                module,
                str(tmp_path / f"{module}.db"),
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        runs[module] = json.loads(done.stdout)
    for name, before in runs["app.service"].items():
        after = runs["app.fixed"][name]
        assert after["result"] == before["result"], name
        assert after["queries"] == 1 < before["queries"], (name, before, after)


WRITES = """
    from app.models import Author, Book


    def saves(authors: list[Author]) -> None:
        for author in authors:
            book = Book.objects.filter(author_id=author.pk).first()
            author.name = book.title if book else ""
            author.save()


    def updates(authors: list[Author]) -> None:
        for author in authors:
            count = Book.objects.filter(author_id=author.pk).count()
            Book.objects.filter(author_id=author.pk).update(rank=count)


    def dict_update(authors: list[Author]) -> dict[int, int]:
        seen = {}
        for author in authors:
            seen.update({author.pk: Book.objects.filter(author_id=author.pk).count()})
        return seen
"""


def test_a_loop_that_writes_through_the_orm_gets_no_fix(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'x'\nversion = '0'\n",
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/writes.py": WRITES,
        },
    )
    path = tmp_path / "app" / "writes.py"
    found = sorted(
        (f.line, f.applicability.value, f.message)
        for f in scan_source(path, path.read_text())
        if f.rule == "query-in-loop"
    )
    saves, updates, dict_update = found[0], found[1], found[-1]
    assert saves[1] == "none" and "`.save()`, which writes a row" in saves[2]
    assert updates[1] == "none" and "`.update()` of a queryset" in updates[2]
    # a dict's update() on a plain name is no write
    assert dict_update[1] == "safe", dict_update


def test_a_negated_exists_reads_as_not_in(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'x'\nversion = '0'\n",
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/negated.py": """
                from app.models import Author, Book


                def without_books(authors: list[Author]) -> list[str]:
                    out = []
                    for author in authors:
                        if not Book.objects.filter(author_id=author.pk).exists():
                            out.append(author.name)
                    return out
            """,
        },
    )
    path = tmp_path / "app" / "negated.py"
    text = fix_source(path, path.read_text()).text
    assert "if author.pk not in author_ids_with_books:" in text


SLICED = """
    from app.models import Author, Book, Chapter


    def top_titles(authors: list[Author]) -> list[list[str]]:
        return [
            [b.title for b in Book.objects.filter(author=author.pk).order_by("-rank", "pk")[:2]]
            for author in authors
        ]


    def top_ranked(authors: list[Author]) -> list[list[Book]]:
        return [list(Book.objects.filter(author=author.pk).order_by("-rank")[:2]) for author in authors]


    def top_chapters(books: list[Book]) -> list[list[Chapter]]:
        return [list(Chapter.objects.filter(book=book.pk)[0:3]) for book in books]


    def any_two(authors: list[Author]) -> list[list[Book]]:
        return [list(Book.objects.filter(author=author.pk)[:2]) for author in authors]


    def second_page(authors: list[Author]) -> list[list[Book]]:
        return [list(Book.objects.filter(author=author.pk).order_by("pk")[2:4]) for author in authors]


    def ranked_two(authors: list[Author]) -> list[list[Book]]:
        return [list(Book.ranked.filter(author=author.pk)[:2]) for author in authors]


    def as_many_as_ranked(authors: list[Author]) -> list[list[Book]]:
        return [
            list(Book.objects.filter(author=author.pk).order_by("pk")[: len(author.name)])
            for author in authors
        ]
"""


def test_a_slice_per_item_is_batched_with_a_window_in_a_known_order(
    tmp_path: Path,
) -> None:
    _write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'x'\nversion = '0'\n",
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/sliced.py": SLICED,
        },
    )
    path = tmp_path / "app" / "sliced.py"
    found = {
        f.line: f
        for f in scan_source(path, path.read_text())
        if f.rule == "query-in-loop"
    }
    # any_two (no order: any two rows), second_page (a slice not from the start) and
    # ranked_two (a manager whose get_queryset() may order) are not read as queries
    top, tied, chapters, per_author = (found[line] for line in sorted(found))
    # the slice's size changes per author: no batch can keep it
    assert per_author.applicability is Applicability.NONE
    assert "the slice also changes per item" in per_author.message
    assert top.applicability is Applicability.SAFE
    assert "first 2 rows in the query's own `order_by`" in top.message
    # `-rank` alone can tie: another of the tied books may be kept
    assert tied.applicability is Applicability.UNSAFE
    assert "can tie" in tied.message
    # Chapter's Meta.ordering ends in the primary key: the window orders by it
    assert chapters.applicability is Applicability.SAFE
    text = "".join(fix_source(path, path.read_text()).text.split())
    assert (
        '.order_by("-rank","pk").annotate(position_in_author=Window(RowNumber(),'
        'partition_by="author",order_by=["-rank","pk"])).filter(position_in_author__lte=2)'
    ) in text
    assert (
        "Chapter.objects.filter(book__in=book_ids).annotate(position_in_book=Window("
        'RowNumber(),partition_by="book",order_by=["-number","pk"]))'
        ".filter(position_in_book__lte=3)"
    ) in text


def test_the_window_annotation_takes_a_name_no_field_has(tmp_path: Path) -> None:
    models = MODELS.replace(
        "        rank = models.IntegerField(default=0)\n",
        "        rank = models.IntegerField(default=0)\n"
        "        position_in_author = models.IntegerField(default=0)\n",
    )
    _write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'x'\nversion = '0'\n",
            "app/__init__.py": "",
            "app/models.py": models,
            "app/sliced.py": SLICED,
        },
    )
    path = tmp_path / "app" / "sliced.py"
    text = "".join(fix_source(path, path.read_text()).text.split())
    assert ".annotate(position_in_author_2=Window(" in text
    assert ".filter(position_in_author_2__lte=2)" in text


def test_a_case_insensitive_lookup_per_item_is_reported_without_a_fix(
    tmp_path: Path,
) -> None:
    # `name__in` compares exactly: one batch cannot give each item its rows
    _write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'x'\nversion = '0'\n",
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/lookups.py": """
                from app.models import Author


                def matching(names: list[str]) -> list[list[int]]:
                    out = []
                    for name in names:
                        found = Author.objects.filter(name__iexact=name)
                        out.append([a.pk for a in found])
                    return out


                def starting(names: list[str]) -> list[int]:
                    return [Author.objects.filter(name__startswith=n).count() for n in names]
            """,
        },
    )
    path = tmp_path / "app" / "lookups.py"
    found = [
        f for f in scan_source(path, path.read_text()) if f.rule == "query-in-loop"
    ]
    [finding] = found
    assert finding.applicability.value == "none"
    assert "`name__iexact` matches case-insensitively" in finding.message
    assert fix_source(path, path.read_text(), unsafe_fixes=True).text == (
        path.read_text()
    )


def test_a_lookup_keyed_by_a_text_field_is_at_most_unsafe(tmp_path: Path) -> None:
    # the rows are matched to the names in Python, SQL matched them under the column's
    # collation (MySQL's default ignores case): golden trap_string_key_collation
    _write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'x'\nversion = '0'\n",
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/lookups.py": """
                from app.models import Author, Book


                def authors_named(names: list[str]) -> list[Author | None]:
                    return [Author.objects.filter(name=name).first() for name in names]


                def books_of(authors: list[Author]) -> list[list[str]]:
                    return [
                        [b.title for b in Book.objects.filter(author_id=a.pk).order_by("pk")]
                        for a in authors
                    ]
            """,
        },
    )
    path = tmp_path / "app" / "lookups.py"
    named, of_author = sorted(
        (f for f in scan_source(path, path.read_text()) if f.rule == "query-in-loop"),
        key=lambda f: f.line,
    )
    assert named.applicability is Applicability.UNSAFE, named.message
    assert "`Author.name` is compared as a string: the database's collation" in (
        named.fix_note or ""
    )
    # an integer key is not affected
    assert of_author.applicability is Applicability.SAFE, of_author.message
