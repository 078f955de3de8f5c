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
        # a failure caught per call (open-webui's `except Exception: return False`)
        """
        try:
            session.execute(delete(Grant).where(Grant.resource_id == resource_id))
            session.commit()
            return True
        except Exception:
            return False
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


MODELS = """
    from sqlalchemy import ForeignKey, String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


    class Base(DeclarativeBase):
        pass


    class Grant(Base):
        __tablename__ = "grants"

        id: Mapped[int] = mapped_column(primary_key=True)
        resource_type: Mapped[str] = mapped_column(String(20))
        resource_id: Mapped[str] = mapped_column(String(36), index=True)
"""

DAL = """
    from sqlalchemy import delete

    from app.models import Grant


    class GrantsTable:
        def revoke_all(self, resource_type, resource_id, session) -> int:
            result = session.execute(
                delete(Grant).filter_by(resource_type=resource_type, resource_id=resource_id)
            )
            {commit}
            return result.rowcount


    Grants = GrantsTable()
"""

SERVICE = """
    from app.dal import Grants


    def revoke_knowledge(session, knowledge_ids):
        for knowledge_id in knowledge_ids:
            Grants.revoke_all("knowledge", knowledge_id, session)
"""


def _scan(tmp_path, commit="session.commit()"):
    from n1fix.engine.api import scan_source

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(textwrap.dedent(MODELS))
    (package / "dal.py").write_text(textwrap.dedent(DAL).format(commit=commit))
    service = package / "service.py"
    service.write_text(textwrap.dedent(SERVICE))
    (finding,) = [f for f in scan_source(service, service.read_text())]
    return finding


def test_a_committing_helper_keyed_through_filter_by_gets_an_unsafe_batch(tmp_path):
    finding = _scan(tmp_path)
    assert finding.applicability.value == "unsafe", finding.message
    assert "`revoke_all` commits after each call" in finding.message
    assert "revoke_all_for_resource_ids" in finding.message
    # The batched DELETE matches rows in SQL, as each call did: no dict lookup whose
    # key type could differ.
    assert "type is unknown" not in finding.message


def test_a_helper_that_commits_twice_gets_no_batch(tmp_path):
    finding = _scan(tmp_path, commit="session.commit()\n        session.commit()")
    assert finding.applicability.value == "none"
    assert "one transaction per call" in finding.message


def test_a_model_defined_beside_its_helper_is_bound_for_the_batch_method(tmp_path):
    """open-webui defines each model in the module of its table class: the batched
    `filter_by()` key reads the model once more, which the method's module binds."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\n")
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    models = textwrap.dedent(MODELS)
    dal = textwrap.dedent(DAL).format(commit="session.commit()")
    (package / "dal.py").write_text(
        dal.replace("from app.models import Grant\n", models)
    )
    service = package / "service.py"
    service.write_text(textwrap.dedent(SERVICE))
    from n1fix.engine.api import scan_source

    (finding,) = [f for f in scan_source(service, service.read_text())]
    assert finding.applicability.value == "unsafe", finding.message
