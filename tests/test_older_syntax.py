"""Files of syntax newer than the running Python still go through the gates.

Python 3.12's type parameters and `type` statements are syntax errors for the `ast` of
an older Python; such a file used to reach LibCST for every rule. `older_syntax` blanks
those parts out (they name types only) so that the gates read the rest.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from n1fix.config import Config
from n1fix.engine.older_syntax import as_older_syntax
from n1fix.engine.runner import run
from n1fix.engine.survey import survey_file
from n1fix.rules import all_rules
from n1fix.rules.base import Applicability

READABLE = [
    "def first[T](items: list[T]) -> T:\n    return items[0]\n",
    "async def first[T](items: list[T]) -> T:\n    return items[0]\n",
    "class Box[T: int, *Ts, **P](Base, metaclass=M):\n    pass\n",
    "class Pool[\n    T: A | B,  # a comment\n](Base):\n    pass\n",
    "type Pair = tuple[int, int]\n",
    "type Tree[T] = T | list[Tree[T]]\n",
    "if True:\n    type Key = str\n",
    "x = 1; type Key = str\n",
    "def f[T = int](): pass\n",  # a default (Python 3.13)
]


@pytest.mark.parametrize("source", READABLE)
def test_newer_syntax_reads_as_older_on_the_same_lines(source):
    older = as_older_syntax(source)
    assert older is not None
    ast.parse(older)
    assert older.count("\n") == source.count("\n")


def test_the_rest_of_the_line_keeps_its_columns():
    older = as_older_syntax("def f[T](rows: list[T]) -> T:\n    return rows[0]\n")
    assert older.index("(rows") == 8
    assert as_older_syntax("type Key = str\n") == "Key = str\n"


@pytest.mark.parametrize(
    "source",
    [
        "x = 1\n",  # nothing newer
        "type = 3\nprint(type(x))\n",  # `type` the builtin, not a statement
        "class A[]:\n    pass\n",  # wrong for every Python: LibCST reports it
        "def f[1](): pass\n",
        "class A[T,,]: pass\n",
        "type X[] = int\n",
        'f"{x!r:{"nested"}}"\n',  # Python 3.12's f-strings: not read here
    ],
)
def test_other_text_is_left_alone(source):
    assert as_older_syntax(source) is None


def _survey(tmp_path: Path, source: str):
    path = tmp_path / "app.py"
    path.write_text(source)
    return survey_file(path, tmp_path, {rule.NAME: rule() for rule in all_rules()})


def test_a_file_of_newer_syntax_is_gated(tmp_path):
    loop = _survey(
        tmp_path,
        "type Ids = list[int]\n\n"
        "def names[T](session, ids: Ids) -> list[T]:\n"
        "    for i in ids:\n"
        "        yield session.get(User, i)\n",
    )
    assert loop.gated is not None and "query-in-loop" in loop.gated
    quiet = _survey(tmp_path, "class Box[T]:\n    def get(self) -> T: ...\n")
    assert quiet.gated == []


def test_a_file_of_newer_syntax_is_surveyed_whole(tmp_path):
    # Its models, query functions and imports go to the project index as any other
    # file's: a model or a receiver defined beside a `type` statement is still known.
    (tmp_path / "helpers.py").write_text("def first(xs):\n    return xs[0]\n")
    survey = _survey(
        tmp_path,
        "from sqlalchemy import select\n"
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n"
        "from helpers import first as head\n"
        "import missing_module\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n"
        "class User(Base):\n    __tablename__ = 'users'\n"
        "    id: Mapped[int] = mapped_column(primary_key=True)\n\n"
        "type Pair = tuple[int, int]\n\n"
        "def first[T](xs: list[T]) -> T:\n    return xs[0]\n\n"
        "def user_by_id[S](session: S, user_id: int) -> User:\n"
        "    return session.scalars(select(User).where(User.id == user_id)).one()\n",
    )
    assert survey.error is None and survey.gated is not None
    assert "User" in {getattr(facts, "name", None) for facts in survey.models}
    assert [function.qualname for function in survey.functions] == ["app.user_by_id"]
    assert survey.imports["DeclarativeBase"] == "sqlalchemy.orm.DeclarativeBase"
    assert survey.imports["head"] == "helpers.first"
    assert survey.resolved == [tmp_path / "helpers.py"]
    assert "missing_module" in survey.unresolved


_BOOKS = """\
from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=100)
    price = models.IntegerField()
"""

_RECEIVER = """\
from django.db.models.signals import post_save
from django.dispatch import receiver

from app.models import Book

type Pair = tuple[int, int]


@receiver(post_save, sender=Book)
def book_saved(sender, instance, **kwargs):
    print("saved", instance.pk)
"""

_REPRICE = """\
from app.models import Book


def reprice(books: list[Book]) -> None:
    for book in books:
        book.price = 10
        book.save(update_fields=["price"])
"""


def test_a_receiver_beside_newer_syntax_keeps_the_bulk_update_away(tmp_path):
    # bulk_update() sends no post_save: with the receiver unseen, the fix was offered
    # as safe and would have skipped it for every book.
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(_BOOKS)
    (app / "signals.py").write_text(_RECEIVER)
    (app / "views.py").write_text(_REPRICE)
    result = run([tmp_path], tmp_path, Config(cache=False), jobs=1)
    assert not result.errors
    (finding,) = result.findings
    assert finding.rule == "write-in-loop"
    assert finding.applicability is Applicability.NONE
    assert "a `post_save` receiver for `Book` (app.signals:" in finding.message


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="ast reads it whole there")
def test_a_query_in_newer_syntax_knows_its_imported_model(tmp_path):
    (tmp_path / "models.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n"
        "class User(Base):\n    __tablename__ = 'users'\n"
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "    name: Mapped[str]\n"
    )
    (tmp_path / "service.py").write_text(
        "from sqlalchemy import select\n"
        "from sqlalchemy.ext.asyncio import AsyncSession\n\n"
        "from models import User\n\n"
        "type Ids = list[int]\n\n"
        "async def names(session: AsyncSession, ids: list[int]) -> list[str]:\n"
        "    out = []\n"
        "    for user_id in ids:\n"
        "        user = await session.scalar(select(User).where(User.id == user_id))\n"
        "        out.append(user.name)\n"
        "    return out\n"
    )
    result = run([tmp_path / "service.py"], tmp_path, Config(cache=False), jobs=1)
    assert not result.errors
    (finding,) = result.findings
    assert finding.rule == "query-in-loop"
    assert "not in the model index" not in finding.message


def test_a_file_wrong_for_every_python_still_reaches_libcst(tmp_path):
    assert _survey(tmp_path, "class A[]:\n    pass\n").gated is None
