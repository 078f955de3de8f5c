"""A loop over the keys of a dict built from loaded rows by a NOT NULL column of theirs
has keys that are never None, so a nullable key column no longer blocks the batch; any
way the function could put another key into the dict keeps the old answer."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from n1fix.engine.api import scan_source

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

HEADER = """
    from sqlalchemy import select, update
    from sqlalchemy.orm import Session

    from renderapp.models import Render, RenderChain


    def touch(mapping):
        return mapping
"""

BUILT = "{chain.id: chain for chain in session.scalars(select(RenderChain)).all()}"
WRITE = 'session.execute(update(Render).where(Render.chain_id == chain_id).values(status="archived"))'


def _finding(tmp_path, body: str):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    service = tmp_path / "service.py"
    code = f"""
        def archive(session: Session, listed: list[int], chains: dict):
        {textwrap.indent(textwrap.dedent(body), " " * 12)}
        """
    service.write_text(textwrap.dedent(HEADER) + textwrap.dedent(code))
    (finding,) = [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "write-in-loop"
    ]
    return finding


@pytest.mark.parametrize(
    "body",
    [
        f"""
        stored = {BUILT}
        for chain_id in stored:
            {WRITE}
        """,
        f"""
        stored = {BUILT}
        for chain_id in listed:
            stored.pop(chain_id, None)
        if not stored:
            return
        for chain_id, chain in stored.items():
            chain.name = "archived"
            {WRITE}
        """,
        f"""
        stored = {BUILT}
        for chain_id in listed:
            if chain_id in stored:
                del stored[chain_id]
        for chain_id in stored.keys():
            {WRITE}
        """,
    ],
)
def test_keys_of_a_dict_of_loaded_rows_by_their_primary_key_are_never_none(
    tmp_path, body
):
    finding = _finding(tmp_path, body)
    assert finding.applicability.value == "safe", finding.message


@pytest.mark.parametrize(
    "body",
    [
        # a dict the function was given
        f"""
        for chain_id in chains:
            {WRITE}
        """,
        # a key put in
        f"""
        stored = {BUILT}
        stored[None] = None
        for chain_id in stored:
            {WRITE}
        """,
        # given to a call, which may put keys in
        f"""
        stored = {BUILT}
        touch(stored)
        for chain_id in stored:
            {WRITE}
        """,
        # bound twice
        f"""
        stored = {BUILT}
        if listed:
            stored = chains
        for chain_id in stored:
            {WRITE}
        """,
        # keyed by a nullable column of the rows
        f"""
        stored = {{render.chain_id: render for render in session.scalars(select(Render)).all()}}
        for chain_id in stored:
            {WRITE}
        """,
        # the loop rebinds the key before the write
        f"""
        stored = {BUILT}
        for chain_id, chain in stored.items():
            chain_id = chains.get(chain_id)
            {WRITE}
        """,
    ],
)
def test_a_dict_that_may_hold_other_keys_keeps_the_key_maybe_none(tmp_path, body):
    finding = _finding(tmp_path, body)
    assert finding.applicability.value == "none", finding.message
    assert "the key may be None" in finding.message
