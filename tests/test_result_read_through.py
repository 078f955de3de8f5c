"""A loop that keeps a query's `Result` in a name and reads it on the next line
(`result = await session.execute(q)`, then `items = result.scalars().all()`) runs one
query of known shape per item; `rules/query_in_loop/result_variable.py` reads the two
lines as one, and only when nothing else can see the `Result` (golden
async_result_read_next_line, trap_result_read_again)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from n1fix.engine.api import scan_source

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

SOURCE = """
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import AsyncSession

    from renderapp.models import GalleryItem, Render


    async def titles(session: AsyncSession, renders: list[Render]):
        out = {{}}
        result = None
        for render in renders:
    {body}
        return out
"""

QUERY = (
    "select(GalleryItem).where(GalleryItem.render_id == render.id)"
    ".order_by(GalleryItem.id)"
)


def _findings(tmp_path, body: str):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    service = tmp_path / "service.py"
    text = textwrap.dedent(SOURCE).format(
        body=textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 8)
    )
    service.write_text(text)
    return [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "query-in-loop"
    ]


@pytest.mark.parametrize(
    "body,applicability",
    [
        # read on the next line, once: one query
        (
            f"""
            result = await session.execute({QUERY})
            out[render.id] = result.scalars().all()
            """,
            "safe",
        ),
        # the name used again, each time right after its own assignment: still one
        (
            f"""
            result = await session.execute({QUERY})
            items = result.scalars().all()
            result = await session.execute({QUERY})
            out[render.id] = (items, result.scalars().first())
            """,
            "safe",
        ),
        # read a line later: something may run between the query and its reading
        (
            f"""
            result = await session.execute({QUERY})
            out[render.id] = []
            out[render.id] = result.scalars().all()
            """,
            "none",
        ),
        # read twice by the next line
        (
            f"""
            result = await session.execute({QUERY})
            out[render.id] = (result.scalars().all(), result)
            """,
            "none",
        ),
    ],
)
def test_the_result_is_read_through_only_when_nothing_else_sees_it(
    tmp_path, body, applicability
):
    found = _findings(tmp_path, body)
    assert found, body
    assert found[0].applicability.value == applicability, found[0].message
