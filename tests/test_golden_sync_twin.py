"""The golden harness's sync twin: what an async before.py that raises means."""

from __future__ import annotations

import textwrap

import pytest
from golden_support import CaseError, load_case
from golden_sync_twin import sync_source


def test_sync_source_takes_out_async_and_await():
    source = textwrap.dedent(
        """\
        async def run(module, session):
            async with session.begin():
                rows = (await session.scalars(stmt)).all()
                async for row in await session.stream(stmt):
                    pass
                return [x async for x in rows]
        """
    )
    assert sync_source(source) == textwrap.dedent(
        """\
        def run(module, session):
            with session.begin():
                rows = (session.scalars(stmt)).all()
                for row in session.stream(stmt):
                    pass
                return [x for x in rows]
        """
    )


def test_before_raises_names_an_exception_class(tmp_path):
    (tmp_path / "before.py").write_text("x = 1\n")
    (tmp_path / "case.toml").write_text(
        'description = "d"\nfindings = []\n[run]\nruns = true\nbefore_raises = "not a name"\n'
    )
    with pytest.raises(CaseError, match="before_raises"):
        load_case(tmp_path)
    (tmp_path / "case.toml").write_text(
        'description = "d"\nfindings = []\n[run]\nruns = true\nbefore_raises = "MissingGreenlet"\n'
    )
    assert load_case(tmp_path).before_raises == "MissingGreenlet"
