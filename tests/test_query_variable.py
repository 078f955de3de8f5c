"""A 1.x Query built in steps in the loop body (`q = session.query(M)`, then
`q.filter(...).first()`), read as the chain written out (CKAN's tracking summaries;
golden legacy_query_built_in_steps, legacy_query_variable_two_lookups,
trap_query_variable_rebound)."""

from __future__ import annotations

import textwrap

import pytest

from n1fix.engine.api import scan_source

MODELS = """
    from sqlalchemy import Column, Integer, String
    from sqlalchemy.orm import declarative_base

    Base = declarative_base()


    class Summary(Base):
        __tablename__ = "summary"
        id = Column(Integer, primary_key=True)
        package_id = Column(Integer, nullable=False)
        total = Column(Integer)
"""

SERVICE = """
    from app.models import Summary


    def totals(session, package_ids: list[int]):
        out = {{}}
        for package_id in package_ids:
            {body}
        return out
"""


def _scan(tmp_path, body: str):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(textwrap.dedent(MODELS))
    service = package / "service.py"
    body = textwrap.indent(textwrap.dedent(body).strip(), " " * 8).strip()
    service.write_text(textwrap.dedent(SERVICE).format(body=body))
    return [f for f in scan_source(service, service.read_text())]


def test_a_query_in_a_variable_is_read_as_the_chain(tmp_path):
    findings = _scan(
        tmp_path,
        """
        query = session.query(Summary).filter(Summary.total > 0)
        out[package_id] = query.filter_by(package_id=package_id).order_by(Summary.id).first()
        """,
    )
    assert [(f.rule, f.applicability.value) for f in findings] == [
        ("query-in-loop", "safe")
    ], findings


@pytest.mark.parametrize(
    "body,read_at",
    [
        # the variable holds rows: the query already ran, `rows.index` is a list's
        (
            """
            rows = session.query(Summary).filter_by(package_id=package_id).all()
            out[package_id] = rows.index(None)
            """,
            9,
        ),
        # bound after it is read (from the item before)
        (
            """
            out[package_id] = query.filter_by(package_id=package_id).first()
            query = session.query(Summary)
            """,
            8,
        ),
    ],
)
def test_other_variables_are_not_read_as_queries(tmp_path, body, read_at):
    findings = _scan(tmp_path, body)
    assert read_at not in [f.line for f in findings], findings
