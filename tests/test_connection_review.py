"""The audit's connection management review: the engines, sessions and frameworks read
from the code, the good practices it sees and the advice it gives (no invented values)."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
from n1fix_project import make_project, n1fix

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "renderservice"
SECTION = "## Connection management review"
# A timing or a percentage in prose: the review must not make one up.
TIMING = re.compile(
    r"\b\d+(\.\d+)?\s*(ms|milliseconds?|s|seconds?|%)(?!\w)|faster", re.IGNORECASE
)


def review(root: Path) -> str:
    run = n1fix("audit", ".", cwd=root)
    assert run.code == 0, run
    text = run.out
    return text[text.index(SECTION) : text.index("## Reproduce and keep it fixed")]


def parts(section: str) -> dict[str, str]:
    current = section[: section.index("### Good practices observed")]
    good = section[
        section.index("### Good practices observed") : section.index(
            "### Recommendations"
        )
    ]
    advice = section[section.index("### Recommendations") :]
    return {"current": current, "good": good, "advice": advice}


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> dict[str, str]:
    copy = tmp_path_factory.mktemp("review") / "renderservice"
    shutil.copytree(
        EXAMPLE, copy, ignore=shutil.ignore_patterns("__pycache__", ".n1fix_cache")
    )
    return parts(review(copy))


def test_the_example_shows_its_engines_and_sessions(example):
    current = example["current"]
    assert "| `app/db.py:43` | `create_engine` | `configure()` |" in current
    assert "| `app/db.py:44` | `create_async_engine` | `configure()` |" in current
    assert "2 sessionmakers (`app/db.py:23`, `app/db.py:24`)" in current
    assert "PostgreSQL and SQLite" in current


def test_the_example_shows_a_good_practice_and_a_recommendation(example):
    assert "opened in a `with`, which closes them on every path" in example["good"]
    assert "`connection-leak` found none" in example["good"]
    # the example names PostgreSQL (its async URL) and sets no statement timeout
    assert "Set a statement timeout at `app/db.py:43`" in example["advice"]
    assert "statement_timeout=<milliseconds>" in example["advice"]
    # not a web application or a worker: no advice about long-lived pools
    assert "pool_pre_ping" not in example["advice"]


def test_the_review_invents_no_value(example):
    prose = re.sub(r"```.*?```", "", "".join(example.values()), flags=re.DOTALL)
    assert not TIMING.search(prose), TIMING.search(prose)


WEB_APP = """\
from fastapi import FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

app = FastAPI()
engine = create_engine("postgresql+psycopg://app@db/app"{settings})
SessionLocal = sessionmaker(bind=engine)


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


def archive(project_id):
    session = SessionLocal()
    session.execute(text("UPDATE projects SET archived = true WHERE id = :id"), {{"id": project_id}})
    session.commit()
"""


def _web_app(tmp_path: Path, settings: str = "") -> dict[str, str]:
    root = make_project(tmp_path / "p", WEB_APP.format(settings=settings))
    return parts(review(root))


def test_a_web_app_without_pool_settings_gets_advice(tmp_path):
    found = _web_app(tmp_path)
    assert "a web application (FastAPI)" in found["current"]
    assert "none: SQLAlchemy defaults" in found["current"]
    advice = found["advice"]
    assert "Close every session and connection" in advice
    assert (
        "Test connections before use (`pool_pre_ping`) at `app/service.py:6`" in advice
    )
    assert "Set a statement timeout at `app/service.py:6`" in advice
    assert "Size the pool for the deployment" in advice
    assert "Add a database health check" in advice
    assert "No session or connection is left open" not in found["good"]


def test_settings_that_are_set_are_good_practices(tmp_path):
    found = _web_app(
        tmp_path,
        ", pool_pre_ping=True, pool_size=10, max_overflow=5, "
        'connect_args={"options": "-c statement_timeout=5000"}',
    )
    assert "`pool_pre_ping=True`" in found["current"]
    assert "`pool_pre_ping` is set (`app/service.py:6`)" in found["good"]
    assert "A statement timeout is set" in found["good"]
    assert "pool_pre_ping" not in found["advice"]
    assert "statement timeout" not in found["advice"]
    assert "Size the pool" not in found["advice"]


def test_settings_from_kwargs_are_not_judged(tmp_path):
    found = _web_app(tmp_path, ", **options")
    assert "more from `**kwargs` (not read)" in found["current"]
    assert "pool_pre_ping" not in found["advice"]


def test_sqlite_gets_no_server_advice(tmp_path):
    root = make_project(
        tmp_path / "p",
        textwrap.dedent(
            """\
            from flask import Flask
            from sqlalchemy import create_engine

            app = Flask(__name__)
            engine = create_engine("sqlite:///app.db")
            """
        ),
    )
    advice = parts(review(root))["advice"]
    assert "pool_pre_ping" not in advice
    assert "statement timeout" not in advice


def test_server_advice_follows_each_engines_database(tmp_path):
    root = make_project(tmp_path / "p", WEB_APP.format(settings=""))
    (root / "app" / "vectors.py").write_text(
        textwrap.dedent(
            """\
            from sqlalchemy import create_engine

            URL = "mysql+pymysql://app@db/vectors"

            def vector_engine():
                return create_engine(URL, pool_pre_ping=True)
            """
        )
    )
    found = parts(review(root))
    assert "MySQL and PostgreSQL" in found["current"]
    # the statement timeout is PostgreSQL's; pool_recycle MySQL's
    assert ". Set a statement timeout at `app/service.py:6`**" in found["advice"]
    assert (
        "Recycle MySQL connections (`pool_recycle`) at `app/vectors.py:6`"
        in (found["advice"])
    )
