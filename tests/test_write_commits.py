"""A write helper that commits its own work is split into its write, its one trailing
commit and its return (`rules.query_in_loop.write_commits`); any other use of a
transaction keeps it out of a batch (golden write_helper_commits and
trap_write_helper_rolls_back)."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from n1fix.analysis.loop_placement import NoFix
from n1fix.rules.query_in_loop.write_commits import own_commit


def _function(code: str) -> cst.FunctionDef:
    return cst.parse_module(textwrap.dedent(code)).body[0]


def _code(statements) -> str:
    return "".join(cst.Module([]).code_for_node(s) for s in statements)


def test_statement_then_commit():
    found = own_commit(
        _function(
            """
            async def revoke(resource_id, db):
                async with context(db) as db:
                    await db.execute(delete(Grant).where(Grant.resource_id == resource_id))
                    await db.commit()
            """
        )
    )
    assert found is not None
    assert found.session == "db"
    assert found.returned is None
    assert _code(found.statements).strip() == (
        "await db.execute(delete(Grant).where(Grant.resource_id == resource_id))"
    )


def test_returned_rowcount_is_read_after_the_batch():
    found = own_commit(
        _function(
            """
            def revoke(resource_id, session):
                result = session.execute(delete(Grant).where(Grant.resource_id == resource_id))
                session.commit()
                return result.rowcount
            """
        )
    )
    assert found is not None
    assert found.returned == "result"
    # The per-key loop runs the statement for its effect only.
    assert _code(found.statements).strip().startswith("session.execute(")


def test_no_transaction_is_not_a_commit_helper():
    assert (
        own_commit(
            _function(
                """
                def revoke(resource_id, session):
                    session.execute(delete(Grant).where(Grant.resource_id == resource_id))
                """
            )
        )
        is None
    )


@pytest.mark.parametrize(
    "body",
    [
        # a rollback: each call isolates its own failure
        """
        try:
            session.execute(delete(Grant).where(Grant.resource_id == resource_id))
            session.commit()
        except Exception:
            session.rollback()
        """,
        # a write after the commit: two transactions per call
        """
        session.execute(delete(Grant).where(Grant.resource_id == resource_id))
        session.commit()
        session.execute(delete(Share).where(Share.resource_id == resource_id))
        """,
        # two commits
        """
        session.execute(delete(Grant).where(Grant.resource_id == resource_id))
        session.commit()
        session.commit()
        """,
        # a return other than the statement's rowcount
        """
        session.execute(delete(Grant).where(Grant.resource_id == resource_id))
        session.commit()
        return True
        """,
        # the result read before the return
        """
        result = session.execute(delete(Grant).where(Grant.resource_id == resource_id))
        log(result)
        session.commit()
        return result.rowcount
        """,
        # a commit of a session the helper gets by a call
        """
        session.execute(delete(Grant).where(Grant.resource_id == resource_id))
        get_session().commit()
        """,
    ],
)
def test_other_transactions_get_no_batch(body):
    function = _function(
        "def revoke(resource_id, session):\n"
        + textwrap.indent(textwrap.dedent(body), "    ")
    )
    with pytest.raises(NoFix, match="one transaction per call"):
        own_commit(function)
