"""An existing many-keys method that returns rows: when it is the original's query for a
list of keys (rows_variant.rows_key)."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from n1fix.orm.dialect import QueryFunction
from n1fix.orm.models import ColumnInfo, ModelInfo
from n1fix.rules.query_in_loop.rows_variant import rows_key

ORIGINAL = """
    class TagDAO:
        @staticmethod
        def find_by_name(name):
            return db.session.query(Tag).filter(Tag.name == name).first()

        @staticmethod
        def find_by_names(names):
            {variant}
"""


def _model(unique: bool) -> ModelInfo:
    return ModelInfo(
        qualname="models.Tag",
        name="Tag",
        module="models",
        table="tag",
        columns={
            "id": ColumnInfo("id", "id", "Integer", True, False, False, False, None),
            "name": ColumnInfo(
                "name", "name", "String", False, unique, True, False, None
            ),
        },
        relationships={},
        bases=(),
    )


def _callee() -> QueryFunction:
    return QueryFunction(
        qualname="dao.TagDAO.find_by_name",
        name="find_by_name",
        owner="dao.TagDAO",
        path="dao.py",
        line=3,
        params=("name",),
        kind="staticmethod",
        is_async=False,
        key_params=("name",),
        model="Tag",
        writes=False,
    )


@pytest.mark.parametrize(
    "variant, unique, expected",
    [
        (
            "return db.session.query(Tag).filter(Tag.name.in_(names)).all()",
            True,
            "name",
        ),
        # the column is not unique: the dict would keep one row of several
        ("return db.session.query(Tag).filter(Tag.name.in_(names)).all()", False, None),
        # another filter: not the original's query
        (
            "return db.session.query(Tag).filter(Tag.name.in_(names), Tag.id > 0).all()",
            True,
            None,
        ),
        # ordered or limited differently, or a dict already (the other path's business)
        (
            "return db.session.query(Tag).filter(Tag.name.in_(names)).limit(10).all()",
            True,
            None,
        ),
        ("return {t.name: t for t in db.session.query(Tag)}", True, None),
        # more than the query
        (
            "tags = db.session.query(Tag).filter(Tag.name.in_(names)).all()\n"
            "            return tags",
            True,
            None,
        ),
    ],
)
def test_rows_key(variant, unique, expected):
    module = cst.parse_module(textwrap.dedent(ORIGINAL.format(variant=variant)))
    found = rows_key(
        module,
        "TagDAO",
        "find_by_names",
        _callee(),
        "name",
        "names",
        "name",
        _model(unique),
    )
    assert found == expected
