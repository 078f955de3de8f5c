"""A query method that keeps its result in a name and reads it on the next line
(`result = await db.execute(q)`, `note = result.scalars().first()`, open-webui's idiom)
is read as if the query were written where its result is read, so the batch analysis
sees the query's shape (`.first()` of model rows) rather than a bare `execute()`."""

from __future__ import annotations

import textwrap

import libcst as cst

from n1fix.rules.query_in_loop.batch_variant import _inline_single_use


def inlined(body: str) -> list[str]:
    module = cst.parse_module(textwrap.dedent(body))
    statements = [s for s in module.body if isinstance(s, cst.SimpleStatementLine)]
    return [module.code_for_node(s).strip() for s in _inline_single_use(statements)]


def test_the_result_read_on_the_next_line_is_inlined_there():
    assert inlined(
        """
        result = await db.execute(select(Note).filter(Note.id == id))
        note = result.scalars().first()
        return NoteModel.model_validate(note) if note else None
        """
    ) == [
        "note = (await db.execute(select(Note).filter(Note.id == id))).scalars().first()",
        "return NoteModel.model_validate(note) if note else None",
    ]


def test_the_result_read_by_the_return_is_inlined_as_before():
    assert inlined(
        """
        renders = await session.scalars(select(Render))
        return list(renders)
        """
    ) == ["return list(await session.scalars(select(Render)))"]


def test_a_result_read_twice_or_later_is_left():
    twice = """
        result = await db.execute(select(Note))
        note = result.scalars().first()
        return result
        """
    assert len(inlined(twice)) == 3
    later = """
        result = await db.execute(select(Note))
        other = 1
        return result.scalars().first()
        """
    assert len(inlined(later)) == 3


def test_nothing_that_ran_after_the_query_moves_before_it():
    # `audit()` ran after the query; inlined, the query would run after it
    assert (
        len(
            inlined(
                """
            result = await db.execute(select(Note))
            note = pick(audit(), result.scalars())
            return note
            """
            )
        )
        == 3
    )
    assert (
        len(
            inlined(
                """
            result = await db.execute(select(Note))
            note = result.scalars().first(audit())
            return note
            """
            )
        )
        == 3
    )


def test_a_statement_built_in_a_name_is_left_to_the_loop_analysis():
    assert (
        len(
            inlined(
                """
            stmt = select(Note).filter(Note.id == id)
            return (await db.execute(stmt)).scalars().first()
            """
            )
        )
        == 2
    )


def test_the_left_side_of_an_operator_is_read_first():
    assert inlined(
        """
        count = await session.scalar(select(func.count(Render.id)))
        return count or 0
        """
    ) == ["return await session.scalar(select(func.count(Render.id))) or 0"]
