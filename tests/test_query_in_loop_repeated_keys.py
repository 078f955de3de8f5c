"""Loops whose batch would change what repeated or duplicated keys do: 1.x
`Query.scalar()` raising on two rows of a key, and get-or-create on the application's
session (lemur's wrong fixes; golden trap_scalar_not_unique, trap_get_or_create_*)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from collation_gaps import COLLATION_ONLY, label

from n1fix.engine.api import scan_source

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

SCALAR = """
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from renderapp.models import Project, User


    def run(session: Session, names: list[str], emails: list[str], projects: list[Project]):
        return {body}
"""

GET_OR_CREATE = """
    from datetime import datetime

    from renderapp.models import User

    session = None


    def create_user(email):
        user = User(email=email, display_name=email, created_at=datetime(2024, 1, 1))
        session.add(user)
        session.commit()
        return user


    def titles(user_ids):
        return user_ids


    def ensure(emails: list[str]):
        {keys}
        for email in {items}:
            user = session.query(User).filter(User.email == email).scalar()
            if user is None:
                {create}
"""


def _scan(tmp_path, text: str):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    service = tmp_path / "service.py"
    service.write_text(textwrap.dedent(text))
    return scan_source(service, service.read_text())


@pytest.mark.parametrize(
    "body,applicability",
    [
        # 1.x Query.scalar() of an entity is .one() with None for none: unique key only
        (
            "[session.query(User).filter(User.email == e).scalar() for e in emails]",
            COLLATION_ONLY,
        ),
        (
            "[session.query(Project).filter(Project.name == n).scalar() for n in names]",
            "none",
        ),
        # .one_or_none() raises on two rows as well
        (
            "[session.query(Project).filter(Project.name == n).one_or_none() for n in names]",
            "none",
        ),
        (
            "[session.scalars(select(Project).where(Project.name == n)).one_or_none() for n in names]",
            "none",
        ),
        # 2.0's session.scalar() takes the first row: an ORDER BY question, not this one
        (
            "[session.scalar(select(Project).where(Project.name == n)) for n in names]",
            "unsafe",
        ),
    ],
)
def test_a_lookup_that_raises_on_duplicates_needs_a_unique_key(
    tmp_path, body, applicability
):
    findings = _scan(tmp_path, SCALAR.format(body=body))
    assert [label(f) for f in findings] == [applicability], [
        f.message for f in findings
    ]


def test_get_or_create_through_project_code_gets_no_fix(tmp_path):
    (finding,) = _scan(
        tmp_path,
        GET_OR_CREATE.format(keys="", items="emails", create="create_user(email)"),
    )
    assert finding.applicability.value == "none"
    assert "calls `create_user()`" in finding.message


def test_get_or_create_over_distinct_keys_is_only_unsafe(tmp_path):
    (finding,) = _scan(
        tmp_path,
        GET_OR_CREATE.format(keys="", items="set(emails)", create="create_user(email)"),
    )
    assert finding.applicability.value == "unsafe"


def test_a_local_name_shadowing_a_project_function_is_no_project_call(tmp_path):
    (finding,) = _scan(
        tmp_path,
        GET_OR_CREATE.format(
            keys="titles = []", items="emails", create="titles.append(email)"
        ),
    )
    assert label(finding) == COLLATION_ONLY, finding.message


def test_a_write_on_the_scoped_session_beside_model_query_gets_no_fix(tmp_path):
    """Flask-SQLAlchemy: `Model.query` reads through the scoped session `db.session`."""
    text = """
        from app import db
        from app.models import Role


        def ensure(names: list[str]):
            for name in names:
                role = Role.query.filter(Role.name == name).scalar()
                if role is None:
                    db.session.add(Role(name=name))
    """
    findings = _scan(tmp_path, text)
    assert [f.applicability.value for f in findings] == ["none"]
    assert "db.session.add()" in findings[0].message
