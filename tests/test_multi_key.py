"""Queries keyed by several columns of the item at once: which are batched by a row value
(`tuple_(A.x, A.y).in_(keys)`), on what proof, and which keep no fix and say why."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from collation_gaps import COLLATION_ONLY, label

from n1fix.engine.api import scan_source

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

HEADER = """
    from sqlalchemy import and_, select
    from sqlalchemy.orm import Session

    from pairapp.models import Affiliation, AssetRef, Member, TaskRef, TaskState
"""


def _scan(tmp_path, code: str):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "pairapp", tmp_path / "pairapp")
    service = tmp_path / "service.py"
    service.write_text(textwrap.dedent(HEADER) + textwrap.dedent(code))
    return scan_source(service, service.read_text())


def _one(tmp_path, query: str, items: str = "refs: list[TaskRef]", item: str = "ref"):
    (finding,) = _scan(
        tmp_path,
        f"""
        def lookups(session: Session, {items}):
            return [{query} for {item} in {items.split(":")[0]}]
        """,
    )
    return finding


@pytest.mark.parametrize(
    "query, applicability, said",
    [
        # the pair is TaskState's primary key: one row a key
        (
            "session.scalars(select(TaskState).where(TaskState.dag_id == ref.dag_id, TaskState.task_id == ref.task_id)).one_or_none()",
            COLLATION_ONLY,
            "dag_id` is compared as a string",
        ),
        (
            "session.query(TaskState).filter_by(task_id=ref.task_id, dag_id=ref.dag_id).first()",
            COLLATION_ONLY,
            "dag_id` is compared as a string",
        ),
        # (name, country) is unique together in Affiliation; the other column is fixed
        (
            "session.scalars(select(Affiliation).where(Affiliation.name == member.affiliation_name, Affiliation.country == member.affiliation_country, Affiliation.id > 0)).one_or_none()",
            COLLATION_ONLY,
            "name` is compared as a string",
        ),
        # several rows a pair: one_or_none() raises on duplicates, a batch would keep
        # one of them silently, so no fix
        (
            "session.scalars(select(AssetRef).where(AssetRef.dag_id == ref.dag_id, AssetRef.task_id == ref.task_id)).one_or_none()",
            "none",
            "(dag_id, task_id) is not unique in `AssetRef`",
        ),
        # several rows a pair and no ORDER BY to pick the first
        (
            "session.scalars(select(AssetRef).where(AssetRef.dag_id == ref.dag_id, AssetRef.task_id == ref.task_id)).first()",
            "unsafe",
            "needs an ORDER BY",
        ),
        (
            "session.scalars(select(AssetRef).where(AssetRef.dag_id == ref.dag_id, AssetRef.task_id == ref.task_id).order_by(AssetRef.id)).first()",
            COLLATION_ONLY,
            "task_id` is compared as a string",
        ),
        # .one() raises for a missing row; the batch gives no such error
        (
            "session.scalars(select(TaskState).where(TaskState.dag_id == ref.dag_id, TaskState.task_id == ref.task_id)).one()",
            "unsafe",
            "raises when a row is missing",
        ),
    ],
)
def test_a_key_of_several_columns_is_batched_on_what_the_code_proves(
    tmp_path, query, applicability, said
):
    items, item = (
        ("members: list[Member]", "member")
        if "member." in query
        else ("refs: list[TaskRef]", "ref")
    )
    finding = _one(tmp_path, query, items, item)
    assert label(finding) == applicability, finding.message
    assert said in finding.message


@pytest.mark.parametrize(
    "query, reason",
    [
        # the predicates sit inside and_(): the batch could not drop one of them
        (
            "session.scalars(select(AssetRef).where(and_(AssetRef.dag_id == ref.dag_id, AssetRef.task_id == ref.task_id))).all()",
            "inside `and_()`",
        ),
        # one column compared with two per-item values
        (
            "session.scalars(select(AssetRef).where(AssetRef.dag_id == ref.dag_id, AssetRef.dag_id == ref.task_id)).all()",
            "one column with several per-item values",
        ),
        # a key column on a joined model
        (
            "session.scalars(select(AssetRef).join(TaskState, TaskState.dag_id == AssetRef.dag_id).where(AssetRef.dag_id == ref.dag_id, TaskState.task_id == ref.task_id)).all()",
            "on a joined table",
        ),
    ],
)
def test_a_key_of_several_columns_the_batch_cannot_take_says_why(
    tmp_path, query, reason
):
    finding = _one(tmp_path, query)
    assert finding.applicability.value == "none", finding.message
    assert reason in finding.message


def test_a_nullable_key_column_with_a_key_that_may_be_none_is_unsafe(tmp_path):
    finding = _one(
        tmp_path,
        "session.scalars(select(Affiliation).where(Affiliation.name == member.affiliation_name, Affiliation.city == member.affiliation_city).order_by(Affiliation.id)).all()",
        "members: list[Member]",
        "member",
    )
    assert finding.applicability.value == "unsafe"
    assert "`Affiliation.city` is nullable" in finding.message


def test_a_key_part_of_another_type_than_its_column_gets_no_fix(tmp_path):
    """Each column's key must have the column's Python type, or the tuples read from the
    rows would not equal those computed from the items: certain to miss, no fix."""
    (finding,) = _scan(
        tmp_path,
        """
        def lookups(session: Session, pairs: list[tuple[int, str]]):
            return [
                session.scalars(
                    select(AssetRef).where(AssetRef.id == str(number), AssetRef.task_id == task)
                ).all()
                for number, task in pairs
            ]
        """,
    )
    assert finding.applicability.value == "none", finding.message
    assert "the key is converted to str but `AssetRef.id` is int" in finding.message
