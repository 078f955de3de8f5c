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


    class Author(models.Model):
        name = models.CharField(max_length=100)

        class Meta:
            app_label = "app"


    class Book(models.Model):
        author = models.ForeignKey(Author, on_delete=models.CASCADE)
        title = models.CharField(max_length=100)
        rank = models.IntegerField(default=0)

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
            books = list(Book.objects.filter(author_id=author.pk).order_by("title"))
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
    assert len(lines) == 6, [f.message for f in findings]
    assert all(f.applicability is Applicability.SAFE for f in findings), [
        f.message for f in findings
    ]
    assert not outcome.failures, outcome.failures
    assert len(outcome.applied) == 6


def test_the_fix_writes_django_querysets(fixed) -> None:
    _, _, outcome = fixed
    text = outcome.text
    assert 'filter(author_id__in=author_pks).order_by("title")' in text
    assert '.order_by("pk")' in text  # .first() on an unordered query
    assert ".reverse()" in text  # .last()
    assert 'Count("pk")' in text and "from django.db.models import Count" in text
    assert "in_(" not in text and "select(" not in text


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
