"""`n1fix.trace` counts the statements each project line sends, and `n1fix audit --trace`
quotes them per finding: measured on SQLite, sync and async (through SQLAlchemy's greenlet)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from n1fix_project import SERVICE, SERVICE_LINE, make_project, n1fix

ASYNC_SERVICE = """\
from sqlalchemy import select

from app.models import Project


async def projects_by_user(session, users):
    result = {}
    for user in users:
        rows = await session.scalars(select(Project).where(Project.user_id == user.id))
        result[user.id] = rows.all()
    return result
"""
ASYNC_LINE = 9

RECORD = """\
import asyncio

from sqlalchemy import create_engine, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import Session

from app.models import Base, Project, User
from app import service, async_service
from n1fix.trace import record_round_trips


def seed(session):
    users = [User(email=f"u{i}@example.com") for i in range(3)]
    session.add_all(users)
    session.flush()
    session.add_all(Project(name=f"p{i}", user_id=user.id) for user in users for i in range(2))
    session.commit()


async def run_async(path):
    engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
    async with AsyncSession(engine) as session:
        users = list(await session.scalars(select(User).order_by(User.id)))
        with record_round_trips("async-trace.json", root="."):
            await async_service.projects_by_user(session, users)
    await engine.dispose()


engine = create_engine("sqlite:///db.sqlite")
Base.metadata.create_all(engine)
with Session(engine) as session:
    seed(session)
    users = list(session.scalars(select(User).order_by(User.id)))
    with record_round_trips("trace.json", root="."):
        service.projects_by_user(session, users)
engine.dispose()
asyncio.run(run_async("db.sqlite"))
"""


def recorded(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "p")
    (project / "app" / "async_service.py").write_text(ASYNC_SERVICE, encoding="utf-8")
    (project / "record.py").write_text(RECORD, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "record.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return project


def test_trace_counts_statements_per_line_sync_and_async(tmp_path: Path) -> None:
    project = recorded(tmp_path)
    sync = json.loads((project / "trace.json").read_text(encoding="utf-8"))
    lines = {(e["path"], e["line"]): e["statements"] for e in sync["lines"]}
    assert sync["statements"] == 3  # one query per user, nothing else
    assert lines[("app/service.py", SERVICE_LINE)] == 3
    # The caller's line is counted too; library files are not.
    assert any(path == "record.py" for path, _ in lines)
    assert all(path in {"app/service.py", "record.py"} for path, _ in lines)
    asynchronous = json.loads(
        (project / "async-trace.json").read_text(encoding="utf-8")
    )
    async_lines = {
        (e["path"], e["line"]): e["statements"] for e in asynchronous["lines"]
    }
    assert async_lines[("app/async_service.py", ASYNC_LINE)] == 3


def test_audit_quotes_the_trace(tmp_path: Path) -> None:
    project = recorded(tmp_path)
    run = n1fix("audit", "app/service.py", "--trace", "trace.json", cwd=project)
    assert run.code == 0, run
    assert (
        "- **Measured:** these lines sent 3 statements in the run recorded in `trace.json`"
        in run.out
    )
    assert (
        "the trace `trace.json` reached 1 of 1 finding; their lines sent 3 statements"
        in run.out
    )


def test_audit_says_when_the_trace_did_not_reach_a_finding(tmp_path: Path) -> None:
    project = recorded(tmp_path)
    (project / "app" / "other.py").write_text(SERVICE, encoding="utf-8")
    run = n1fix("audit", "app/other.py", "--trace", "trace.json", cwd=project)
    assert run.code == 0, run
    assert "- **Measured:** not reached in the run recorded in `trace.json`" in run.out


def test_audit_refuses_a_file_that_is_not_a_trace(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    (project / "trace.json").write_text("{}", encoding="utf-8")
    run = n1fix("audit", "app", "--trace", "trace.json", cwd=project)
    assert run.code == 2, run
    assert "not an n1fix trace" in run.err and "Traceback" not in run.err


DJANGO_MODELS = """\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=50)


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
"""

DJANGO_SERVICE = """\
from shelf.models import Book


def counts(authors):
    return [Book.objects.filter(author=author).count() for author in authors]


async def async_counts(authors):
    out = []
    for author in authors:
        out.append(await Book.objects.filter(author=author).acount())
    return out
"""
DJANGO_LINE, DJANGO_ASYNC_LINE = 5, 11

DJANGO_RECORD = """\
import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["shelf"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
)
django.setup()

from asgiref.sync import async_to_sync
from django.db import connection

from n1fix.trace import record_round_trips
from shelf import service
from shelf.models import Author, Book

with connection.schema_editor() as editor:
    editor.create_model(Author)
    editor.create_model(Book)
authors = Author.objects.bulk_create(Author(name=f"a{i}") for i in range(3))
Book.objects.bulk_create(Book(author=author) for author in authors)
with record_round_trips("trace.json", root="."):
    service.counts(authors)
with record_round_trips("async-trace.json", root="."):
    async_to_sync(service.async_counts)(authors)
"""


def test_trace_counts_django_statements_sync_and_async(tmp_path: Path) -> None:
    project = tmp_path / "p"
    (project / "shelf").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (project / "shelf" / "__init__.py").write_text("")
    (project / "shelf" / "models.py").write_text(DJANGO_MODELS)
    (project / "shelf" / "service.py").write_text(DJANGO_SERVICE)
    (project / "record.py").write_text(DJANGO_RECORD)
    proc = subprocess.run(
        [sys.executable, "record.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    sync = json.loads((project / "trace.json").read_text(encoding="utf-8"))
    lines = {(e["path"], e["line"]): e["statements"] for e in sync["lines"]}
    assert sync["statements"] == 3
    assert lines[("shelf/service.py", DJANGO_LINE)] == 3
    assert all(path in {"shelf/service.py", "record.py"} for path, _ in lines)
    # Django's async ORM runs each query in a thread of asgiref's; the line that
    # awaited it is the coroutine's, in the event loop's thread.
    asynchronous = json.loads(
        (project / "async-trace.json").read_text(encoding="utf-8")
    )
    async_lines = {
        (e["path"], e["line"]): e["statements"] for e in asynchronous["lines"]
    }
    assert asynchronous["statements"] == 3
    assert async_lines[("shelf/service.py", DJANGO_ASYNC_LINE)] == 3
    run = n1fix("audit", "shelf", "--trace", "async-trace.json", cwd=project)
    assert run.code == 0, run
    assert "these lines sent 3 statements in the run recorded in" in run.out
