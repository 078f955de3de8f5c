"""The audit's "Database Indexing Review" (n1fix/report/index_review.py), on the bundled
example and on a small project with Alembic migrations."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from n1fix_project import n1fix

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "renderservice"


def section(report: str) -> str:
    start = report.index("## Database Indexing Review")
    return report[start : report.index("## Reproduce and keep it fixed")]


def test_example_audit_reviews_its_indexes(tmp_path):
    copy = tmp_path / "renderservice"
    shutil.copytree(
        EXAMPLE, copy, ignore=shutil.ignore_patterns("__pycache__", ".n1fix_cache")
    )
    run = n1fix("audit", ".", "-o", "AUDIT.md", cwd=copy)
    assert run.code == 0, run
    review = section((copy / "AUDIT.md").read_text(encoding="utf-8"))
    already, recommended = review.split("### Recommended additional indexes")
    assert "- `renders(id)` (PRIMARY KEY)\n" in already
    assert "- `users(email)` (UNIQUE)\n" in already
    assert "- `renders(project_id)` (INDEX)\n" in already
    # the composite Index(...) of Render.__table_args__, where the model declares it
    assert "- `renders(project_id, created_at)` (app/models.py:54)\n" in already
    # every key a query looks rows up by is indexed; subscriptions.plan_id is only
    # joined from subscriptions, where the plans' primary key serves the join
    assert "None: every foreign key" in recommended
    assert "plan_id" not in recommended


MODELS = """\
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Project(Base):
    __tablename__ = "projects"
    id = Column(Integer, primary_key=True)


class Render(Base):
    __tablename__ = "renders"
    id = Column(Integer, primary_key=True)
    project_id = Column(ForeignKey("projects.id"))
    status = Column(String(20))
"""

QUERIES = """\
from app.models import Render


def renders_by_project(session, projects):
    return {
        p.id: session.query(Render).filter(Render.project_id == p.id).all()
        for p in projects
    }
"""


def test_recommended_index_with_its_statement_and_migration(tmp_path):
    files = {
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/queries.py": QUERIES,
        "alembic/env.py": "from alembic import context\n",
        "alembic/versions/1a_init.py": 'revision = "1a"\ndown_revision = None\n',
        "alembic/versions/2b_status.py": 'revision = "2b"\ndown_revision = "1a"\n',
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    run = n1fix("audit", ".", "-o", "AUDIT.md", cwd=tmp_path)
    assert run.code == 0, run
    review = section((tmp_path / "AUDIT.md").read_text(encoding="utf-8"))
    assert "**High priority (queried in a loop):**" in review
    assert (
        "- Foreign key `renders.project_id`: 1 query looks rows up by it, 1 in a loop "
        "(`app/queries.py:6`)." in review
    )
    assert "CREATE INDEX ix_renders_project_id ON renders(project_id);" in review
    assert "In the model: `index=True` on `Render.project_id`." in review
    assert "Migration `alembic/versions/" in review
    assert 'down_revision = "2b"' in review
    assert "postgresql_concurrently=True" in review
    # a scan reports the rule only when selected: the audit reviews indexes regardless
    assert "missing-index" not in n1fix("scan", ".", cwd=tmp_path).out
    scan = n1fix("scan", ".", "--select", "missing-index", cwd=tmp_path)
    assert "app/models.py:15:5: missing-index" in scan.out
