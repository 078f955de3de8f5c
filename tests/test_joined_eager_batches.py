"""Batches of a model with a joined-eager collection must iterate `.unique()` results.

SQLAlchemy 2.x refuses to iterate such a result otherwise ("The unique() method must be
invoked..."); the per-item `session.get()` never met that rule, so the rewrite must add it.
A 1.x `Query` has no `.unique()` (AttributeError): it de-duplicates the entities of a
joined eager collection itself, so a batch written in the Query API must not call it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from n1fix.engine.api import fix_source

MODELS = """
    from sqlalchemy import ForeignKey
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


    class Base(DeclarativeBase):
        pass


    class Token(Base):
        __tablename__ = "tokens"
        id: Mapped[int] = mapped_column(primary_key=True)
        serial: Mapped[str]
        realms: Mapped[list["TokenRealm"]] = relationship(lazy="joined")


    class TokenRealm(Base):
        __tablename__ = "token_realms"
        id: Mapped[int] = mapped_column(primary_key=True)
        token_id: Mapped[int] = mapped_column(ForeignKey("tokens.id"))
"""

SERVICE = """
    from tokenapp.models import Token, TokenRealm


    def tokens_of(session, links: list[TokenRealm]):
        return [session.get(Token, link.token_id) for link in links]
"""


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Code that uses the Query API elsewhere gets its batch in the Query API.
QUERY_API_SERVICE = (
    SERVICE
    + """

    def all_links(session):
        return session.query(TokenRealm).all()
"""
)


@pytest.mark.parametrize(
    "service_text,unique",
    [(SERVICE, ".unique()"), (QUERY_API_SERVICE, "")],
    ids=["select", "query-api"],
)
def test_session_get_batch_on_a_joined_collection_iterates_unique_entities(
    tmp_path, monkeypatch, service_text, unique
):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'tokenapp'\n")
    package = tmp_path / "tokenapp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(textwrap.dedent(MODELS))
    service = package / "service.py"
    service.write_text(textwrap.dedent(service_text))

    outcome = fix_source(service, service.read_text(), unsafe_fixes=False)
    assert [f.applicability.value for f in outcome.findings] == ["safe"]
    if unique:
        assert unique in outcome.text
    else:
        assert "session.query(Token).filter(Token.id.in_(token_ids))" in outcome.text
        assert ".unique()" not in outcome.text
    fixed = package / "service_fixed.py"
    fixed.write_text(outcome.text)

    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "tokenapp", raising=False)
    monkeypatch.delitem(sys.modules, "tokenapp.models", raising=False)
    models = importlib.import_module("tokenapp.models")
    before = _load("service_before", service)
    after = _load("service_after", fixed)
    engine = create_engine("sqlite://")
    models.Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(
            [models.Token(id=1, serial="a"), models.Token(id=2, serial="b")]
        )
        session.add_all(
            [models.TokenRealm(id=1, token_id=1), models.TokenRealm(id=2, token_id=1)]
        )
        session.commit()
        links = list(session.query(models.TokenRealm).order_by(models.TokenRealm.id))
        expected = [(t.serial, len(t.realms)) for t in before.tokens_of(session, links)]
        session.expunge_all()
        links = list(session.query(models.TokenRealm).order_by(models.TokenRealm.id))
        assert (
            [(t.serial, len(t.realms)) for t in after.tokens_of(session, links)]
            == expected
            == [("a", 2), ("a", 2)]
        )
