"""lazy-load-in-loop's survey keeps only the attributes read on the name a loop binds
to each row (`gate.attributes_of_loop_names`): every path the check records starts with
`row.<relationship>` on that name, the names it follows later being bound to what such
a path holds. The gate and the check must agree on every file below: the files let
through are those with a finding, and a file turned away has none."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from n1fix.config import Config
from n1fix.engine.runner import _project, gate_on_project, run
from n1fix.engine.survey import survey_file
from n1fix.rules import all_rules
from n1fix.rules.lazy_load_in_loop.rule import LazyLoadInLoop

MODELS = """\
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Publisher(Base):
    __tablename__ = "publishers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    publisher_id: Mapped[int] = mapped_column(ForeignKey("publishers.id"))
    publisher: Mapped[Publisher] = relationship()


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship()
    chapters: Mapped[list["Chapter"]] = relationship(back_populates="book")


class Chapter(Base):
    __tablename__ = "chapters"
    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"))
    book: Mapped[Book] = relationship(back_populates="chapters")
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship()
"""

HEAD = "from sqlalchemy import select\n\nimport lib.models as m\nfrom lib.models import Book\n\n\n"

# File name -> code; each file either has a finding or is one the narrowed gate turns
# away while the old one (any name bound in the loop) let it through.
CASES = {
    # deeper paths, each starting with `book.author` / `book.chapters`
    "bound_then_read.py": """\
def f(session):
    for book in session.scalars(select(Book)):
        writer = book.author
        print(writer.publisher)
""",
    "nested_loop_over_relation.py": """\
def f(session):
    for book in session.scalars(select(Book)).all():
        for chapter in book.chapters:
            print(chapter.author)
""",
    "enumerated_sorted_aliased.py": """\
def f(session):
    rows = session.scalars(select(m.Book)).all()
    for i, book in enumerate(sorted(rows, key=str)):
        print(i, book.author.publisher.name)
""",
    "comprehension_condition.py": """\
def f(session):
    return [b.title for b in session.query(Book).all() if b.author]
""",
    "decorated_method.py": """\
class View:
    @staticmethod
    def rows(session):
        return session.scalars(select(Book)).all()

    @classmethod
    def show(cls, session):
        session.execute(select(Book.id))
        return {b.id: b.chapters for b in cls.rows(session)}
""",
    # rows from a helper of the module, with no query call beside the loop: the check
    # follows the rows into the helper's one `return`
    "helper_method.py": """\
class Shelf:
    @staticmethod
    def rows(session):
        return session.scalars(select(Book)).all()

    @classmethod
    def chapters_by_book(cls, session):
        return {b.id: b.chapters for b in cls.rows(session)}
""",
    "module_helper_bound.py": """\
def _all_books(session):
    return session.scalars(select(Book)).all()


def report(session):
    books = _all_books(session)
    for book in books:
        print(book.author.publisher)
""",
    # the old gate's reads, none on the row's own name: the check finds nothing
    "other_names_in_loop.py": """\
def f(session, people):
    for book in session.scalars(select(Book)):
        for person in people:
            print(person.author, book.title)
        writer = lookup(book.id)
        print(writer.publisher)
""",
    "lambda_in_loop.py": """\
def f(session):
    for book in session.scalars(select(Book)):
        later = lambda book: book.author
        print(book.title, later)
""",
    "rebound_from_elsewhere.py": """\
def f(session, authors):
    books = session.scalars(select(Book)).all()
    return [(b.id, [a.publisher for a in authors]) for b in books]
""",
}


def _write(root: Path) -> None:
    (root / "lib").mkdir()
    (root / "lib" / "__init__.py").write_text("")
    (root / "lib" / "models.py").write_text(MODELS)
    for name, code in CASES.items():
        (root / "lib" / name).write_text(HEAD + code)


def test_the_files_let_through_are_the_files_with_a_finding(tmp_path: Path) -> None:
    _write(tmp_path)
    gates = {rule.NAME: rule() for rule in all_rules()}
    paths = sorted(tmp_path.rglob("*.py"))
    surveys = {p: survey_file(p, tmp_path, gates) for p in paths}
    project = _project(tmp_path, surveys)
    for survey in surveys.values():
        gate_on_project(survey, project, gates.values())
    gated = {p.name for p, s in surveys.items() if "lazy-load-in-loop" in s.gated}
    result = run([tmp_path], tmp_path, Config(cache=False), use_gate=False)
    found = {
        Path(f.path).name for f in result.findings if f.rule == "lazy-load-in-loop"
    }
    assert found == {
        "bound_then_read.py",
        "nested_loop_over_relation.py",
        "enumerated_sorted_aliased.py",
        "comprehension_condition.py",
        "decorated_method.py",
        "helper_method.py",
        "module_helper_bound.py",
    }
    assert gated == found


def _reads(code: str) -> list[str]:
    text = textwrap.dedent(HEAD + code)
    return LazyLoadInLoop().survey(ast.parse(text), text)["reads"]


def test_only_the_rows_own_name_is_read() -> None:
    assert _reads(CASES["bound_then_read.py"]) == ["author"]
    assert _reads(CASES["nested_loop_over_relation.py"]) == ["chapters"]
    assert _reads(CASES["enumerated_sorted_aliased.py"]) == ["author"]
    assert _reads(CASES["other_names_in_loop.py"]) == ["id", "title"]
    assert _reads(CASES["lambda_in_loop.py"]) == ["title"]
    assert _reads(CASES["rebound_from_elsewhere.py"]) == ["id"]
