"""connection-leak: what opens a session or connection, when its lifetime is the
function's and it is not closed on every path, and when the `with` form is safe."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from n1fix.engine.api import fix_source, scan_source

HEADER = """\
import sqlite3
from contextlib import contextmanager

import asyncpg
import psycopg
import psycopg2
import requests
from fastapi import Depends
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

engine = create_engine("postgresql+psycopg://app@db/app")
async_engine = create_async_engine("postgresql+asyncpg://app@db/app")
SessionLocal = sessionmaker(bind=engine)
AsyncSessionLocal = async_sessionmaker(async_engine)
Registry = scoped_session(SessionLocal)
"""


def _project(tmp_path: Path, body: str) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    service = tmp_path / "service.py"
    service.write_text(HEADER + "\n\n" + textwrap.dedent(body).strip("\n") + "\n")
    return service


def _findings(tmp_path: Path, body: str):
    service = _project(tmp_path, body)
    return [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "connection-leak"
    ]


def _fixed(tmp_path: Path, body: str, unsafe: bool = False) -> str:
    service = _project(tmp_path, body)
    outcome = fix_source(service, service.read_text(), unsafe_fixes=unsafe)
    assert not outcome.failures, outcome.failures
    return outcome.text.split("\n\n\n", 1)[1]


REPORTED = [
    # (body, applicability, a word of the message or note)
    (
        """
        def archive(project_id):
            session = SessionLocal()
            session.execute(text("UPDATE projects SET archived = 1 WHERE id = :id"), {"id": project_id})
            session.commit()
        """,
        "safe",
        "never closed",
    ),
    (
        """
        def archive(project_id):
            session = Session(engine)
            session.commit()
        """,
        "safe",
        "never closed",
    ),
    (
        """
        def archive(project_id):
            session = sessionmaker(bind=engine)()
            session.commit()
        """,
        "safe",
        "never closed",
    ),
    (
        """
        def touch():
            conn = engine.connect()
            conn.execute(text("UPDATE projects SET seen = 1"))
            conn.commit()
        """,
        "safe",
        "never closed",
    ),
    (
        """
        def touch(bind: Engine):
            conn = bind.connect()
            conn.execute(text("UPDATE projects SET seen = 1"))
        """,
        "safe",
        "never closed",
    ),
    (
        """
        def touch(path):
            conn = sqlite3.connect(path)
            conn.execute("UPDATE projects SET seen = 1")
            conn.commit()
        """,
        "safe",
        "never closed",
    ),
    (
        """
        async def touch():
            session = AsyncSession(async_engine)
            await session.execute(text("UPDATE projects SET seen = 1"))
            await session.commit()
        """,
        "safe",
        "never closed",
    ),
    (
        """
        async def touch():
            conn = await async_engine.connect()
            await conn.execute(text("UPDATE projects SET seen = 1"))
        """,
        "safe",
        "never closed",
    ),
    (
        """
        async def touch(dsn):
            pool = await asyncpg.create_pool(dsn)
            conn = await pool.acquire()
            await conn.execute("UPDATE projects SET seen = 1")
        """,
        "safe",
        "never closed",
    ),
    # what is read through the session leaves the function: unsafe
    (
        """
        def load(project_id):
            session = SessionLocal()
            return session.get(Project, project_id)
        """,
        "unsafe",
        "hands on",
    ),
    (
        """
        def collect(project_id, out):
            session = SessionLocal()
            for row in session.execute(text("SELECT id FROM renders")):
                out.append(row)
        """,
        "unsafe",
        "`out`",
    ),
    # a close on the normal path only
    (
        """
        def count():
            conn = engine.connect()
            n = conn.execute(text("SELECT count(*) FROM projects")).scalar()
            conn.close()
            return n
        """,
        "none",
        "closed only when nothing raises",
    ),
    (
        """
        async def touch(dsn):
            conn = await asyncpg.connect(dsn)
            await conn.execute("UPDATE projects SET seen = 1")
        """,
        "none",
        "no `async with`",
    ),
    (
        """
        def touch():
            conn = engine.begin()
            conn.execute(text("UPDATE projects SET seen = 1"))
        """,
        "none",
        "context manager",
    ),
    # read after the block the `with` would end
    (
        """
        def touch(flag):
            if flag:
                session = SessionLocal()
                row = session.execute(text("SELECT 1")).first()
            print(row)
        """,
        "none",
        "read after the block",
    ),
    (
        """
        def touch():
            session = SessionLocal()
        """,
        "none",
        "not used",
    ),
]


@pytest.mark.parametrize(("body", "applicability", "word"), REPORTED)
def test_reported(tmp_path, body, applicability, word):
    found = _findings(tmp_path, body)
    assert len(found) == 1, found
    assert found[0].applicability.value == applicability
    assert word in found[0].message + (found[0].fix_note or "")


NOT_A_LEAK = {
    "a FastAPI dependency generator": """
        def get_db():
            db = SessionLocal()
            try:
                yield db
            finally:
                db.close()
        """,
    "a dependency generator without finally": """
        def get_db():
            db = SessionLocal()
            yield db
        """,
    "a context manager factory": """
        @contextmanager
        def session_scope():
            session = SessionLocal()
            try:
                yield session
                session.commit()
            except Exception:
                session.rollback()
                raise
            finally:
                session.close()
        """,
    "a pytest fixture": """
        def connection():
            conn = engine.connect()
            yield conn
            conn.close()
        """,
    "returned to the caller": """
        def open_session():
            session = SessionLocal()
            session.info["user"] = 1
            return session
        """,
    "stored on self": """
        class Repo:
            def __init__(self):
                session = SessionLocal()
                self.session = session
        """,
    "stored on self directly": """
        class Repo:
            def __init__(self):
                self.session = SessionLocal()
        """,
    "a global": """
        conn = None

        def connect(path):
            global conn
            conn = sqlite3.connect(path)
            conn.execute("PRAGMA foreign_keys = ON")
        """,
    "passed to a call that may close it": """
        def run(job):
            session = SessionLocal()
            job.run(session)
        """,
    "kept in a container": """
        def open_all(paths, found):
            conn = sqlite3.connect(paths[0])
            found.append(conn)
        """,
    "closed in finally": """
        def count():
            conn = engine.connect()
            try:
                return conn.execute(text("SELECT 1")).scalar()
            finally:
                conn.close()
        """,
    "opened in the try, closed in finally": """
        def count(path):
            conn = None
            try:
                conn = sqlite3.connect(path)
                return conn.execute("SELECT 1").fetchone()
            finally:
                if conn is not None:
                    conn.close()
        """,
    "closed on error and on success": """
        def count():
            session = SessionLocal()
            try:
                session.execute(text("SELECT 1"))
            except Exception:
                session.close()
                raise
            session.close()
        """,
    "with after the open": """
        def count():
            session = SessionLocal()
            with session:
                session.execute(text("SELECT 1"))
        """,
    "contextlib.closing": """
        import contextlib

        def count(path):
            conn = sqlite3.connect(path)
            with contextlib.closing(conn):
                conn.execute("SELECT 1")
        """,
    "released to its pool in finally": """
        async def count(pool: asyncpg.Pool):
            conn = await pool.acquire()
            try:
                await conn.execute("SELECT 1")
            finally:
                await pool.release(conn)
        """,
    "opened with with": """
        def count():
            with SessionLocal() as session:
                session.execute(text("SELECT 1"))
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        """,
    "a scoped_session registry": """
        def count():
            session = Registry()
            session.execute(text("SELECT 1"))
        """,
    "Flask-SQLAlchemy's db.session": """
        def count(db):
            session = db.session()
            session.execute(text("SELECT 1"))
        """,
    "requests.Session": """
        def fetch(url):
            http = requests.Session()
            http.get(url)
        """,
    "a Session that is a project model": """
        class Session:
            pass

        def clone():
            sess = Session()
            sess.title = "x"
        """,
    "an engine n1fix cannot see": """
        def count(bind):
            conn = bind.connect()
            conn.execute(text("SELECT 1"))
        """,
    "a script's main": """
        def main():
            session = SessionLocal()
            session.execute(text("UPDATE projects SET seen = 1"))
            session.commit()

        if __name__ == "__main__":
            main()
        """,
    "a module-level connection": """
        conn = sqlite3.connect("app.db")
        conn.execute("PRAGMA foreign_keys = ON")
        """,
    "a close handed to atexit": """
        import atexit

        def open_db(path):
            conn = sqlite3.connect(path)
            atexit.register(conn.close)
            conn.execute("SELECT 1")
        """,
    "read by a nested function": """
        def handler():
            session = SessionLocal()

            def work():
                session.execute(text("SELECT 1"))

            return work
        """,
}


@pytest.mark.parametrize("body", NOT_A_LEAK.values(), ids=NOT_A_LEAK.keys())
def test_not_a_leak(tmp_path, body):
    assert _findings(tmp_path, body) == []


def test_the_session_class_is_read_from_the_imports(tmp_path):
    # indico's `Session` is a model: not SQLAlchemy's, so `Session()` opens nothing
    found = _findings(
        tmp_path,
        """
        from app.models import Session as EventSession

        def clone():
            sess = EventSession()
            sess.title = "x"
        """,
    )
    assert found == []


def test_a_sessionmaker_imported_from_a_project_module(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "db.py").write_text(
        "from sqlalchemy.orm import sessionmaker, scoped_session\n"
        "SessionMaker = sessionmaker()\n"
        "Scoped = scoped_session(SessionMaker)\n"
    )
    found = _findings(
        tmp_path,
        """
        from app.db import SessionMaker, Scoped

        def touch():
            session = SessionMaker()
            session.commit()

        def scoped():
            session = Scoped()
            session.commit()
        """,
    )
    assert [f.line for f in found] == [23]


def test_the_with_form(tmp_path):
    assert _fixed(
        tmp_path,
        """
        def archive(project_id):
            # the archive flag
            session = SessionLocal()  # one per call
            session.execute(text("UPDATE projects SET archived = 1 WHERE id = :id"), {"id": project_id})
            if project_id:
                session.commit()
        """,
    ) == textwrap.dedent(
        """\
        def archive(project_id):
            # the archive flag
            with SessionLocal() as session:  # one per call
                session.execute(text("UPDATE projects SET archived = 1 WHERE id = :id"), {"id": project_id})
                if project_id:
                    session.commit()
        """
    )


def test_async_forms_drop_the_await(tmp_path):
    assert _fixed(
        tmp_path,
        """
        async def touch(pool: asyncpg.Pool):
            conn = await pool.acquire()
            await conn.execute("UPDATE projects SET seen = 1")
        """,
    ) == textwrap.dedent(
        """\
        async def touch(pool: asyncpg.Pool):
            async with pool.acquire() as conn:
                await conn.execute("UPDATE projects SET seen = 1")
        """
    )


def test_a_dbapi_connection_is_closed_by_contextlib_closing(tmp_path):
    service = _project(
        tmp_path,
        """
        def touch(path):
            conn = psycopg2.connect(path)
            conn.cursor().execute("UPDATE projects SET seen = 1")
            conn.commit()
        """,
    )
    text = fix_source(service, service.read_text()).text
    assert "from contextlib import closing, contextmanager\n" in text
    assert "    with closing(psycopg2.connect(path)) as conn:\n" in text


def test_unsafe_fix_only_when_asked(tmp_path):
    body = """
        def load(project_id):
            session = SessionLocal()
            return session.get(Project, project_id)
        """
    assert "with" not in _fixed(tmp_path, body)
    assert "    with SessionLocal() as session:\n" in _fixed(
        tmp_path, body, unsafe=True
    )


def test_a_loop_body_is_wrapped_in_the_loop(tmp_path):
    assert _fixed(
        tmp_path,
        """
        def touch(paths):
            for path in paths:
                conn = sqlite3.connect(path)
                conn.execute("UPDATE projects SET seen = 1")
                conn.commit()
            return len(paths)
        """,
    ) == textwrap.dedent(
        """\
        def touch(paths):
            for path in paths:
                with closing(sqlite3.connect(path)) as conn:
                    conn.execute("UPDATE projects SET seen = 1")
                    conn.commit()
            return len(paths)
        """
    )


PER_CALL = [
    (
        """
        def sizes(urls):
            for url in urls:
                bind = create_engine(url)
                with bind.connect() as conn:
                    conn.execute(text("SELECT 1"))
        """,
        "once per item of a loop",
    ),
    (
        """
        @app.get("/health")
        def health():
            bind = create_engine("postgresql://app@db/app")
            with bind.connect() as conn:
                return conn.execute(text("SELECT 1")).scalar()
        """,
        "once per request",
    ),
    (
        """
        def view(request):
            bind = create_engine("postgresql://app@db/app")
            with bind.connect() as conn:
                return conn.execute(text("SELECT 1")).scalar()
        """,
        "once per request",
    ),
    (
        """
        def probe(url):
            bind = create_engine(url)
            with bind.connect() as conn:
                return conn.execute(text("SELECT 1")).scalar()

        def probe_all(urls):
            return [probe(url) for url in urls]
        """,
        "on every call of `probe`, called in a loop of `probe_all`",
    ),
]


@pytest.mark.parametrize(("body", "word"), PER_CALL)
def test_an_engine_per_call(tmp_path, body, word):
    found = _findings(tmp_path, "app = object()\n\n" + textwrap.dedent(body))
    assert len(found) == 1, found
    assert word in found[0].message
    assert found[0].applicability.value == "none"


ENGINE_KEPT = {
    "a registry of engines built in a loop": """
        ENGINES = {}

        def configure(urls):
            for name, url in urls.items():
                ENGINES[name] = create_engine(url)
        """,
    "a cached engine": """
        class Store:
            def __init__(self, url):
                self.engine = create_engine(url)
        """,
    "returned to the caller": """
        def make_engine(url):
            bind = create_engine(url, pool_pre_ping=True)
            return bind

        def engines(urls):
            return [make_engine(url) for url in urls]
        """,
    "once, in a function nobody calls in a loop": """
        def migrate(url):
            bind = create_engine(url)
            with bind.begin() as conn:
                conn.execute(text("SELECT 1"))
        """,
}


@pytest.mark.parametrize("body", ENGINE_KEPT.values(), ids=ENGINE_KEPT.keys())
def test_an_engine_not_per_call(tmp_path, body):
    assert _findings(tmp_path, body) == []
