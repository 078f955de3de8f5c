"""A query helper that shapes its result, read as one key's work of a batch method
(`rules.query_in_loop.post_process`)."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from n1fix.analysis.loop_placement import NoFix
from n1fix.rules.query_in_loop.post_process import shaped_result


def _read(source: str, key: str = "email"):
    module = cst.parse_module(textwrap.dedent(source))
    function = [s for s in module.body if isinstance(s, cst.FunctionDef)][-1]
    return shaped_result(function, module, key, lambda node: False)


def _code(work) -> str:
    return cst.Module(body=work.statements).code


def test_a_plain_query_body_is_left_to_the_plain_reading():
    assert (
        _read(
            """
            def get(session, email):
                stmt = select(User).where(User.email == email)
                user = session.scalars(stmt).first()
                return user
            """
        )
        is None
    )
    assert (
        _read(
            """
            def get(session, email):
                return session.scalars(select(User).where(User.email == email)).first()
            """
        )
        is None
    )


def test_each_return_is_recorded_for_its_key_and_the_loop_goes_on():
    work = _read(
        """
        def summary(session, email):
            user = session.scalars(select(User).where(User.email == email)).first()
            if user:
                return {"name": user.display_name}
            return {"name": ""}
        """
    )
    assert work.unsafe == []
    assert work.reads == {"display_name"}
    code = _code(work)
    assert 'n1fix_batched_[email] = {"name": user.display_name}\n    continue' in code
    assert code.rstrip().endswith('n1fix_batched_[email] = {"name": ""}')


def test_a_final_expression_of_the_result_is_shaping():
    work = _read(
        """
        def label(session, email):
            user = session.scalars(select(User).where(User.email == email)).first()
            return (user.display_name or "") if user else ""
        """
    )
    assert (
        _code(work)
        .rstrip()
        .endswith('n1fix_batched_[email] = (user.display_name or "") if user else ""')
    )


def test_a_raise_is_kept_and_makes_the_fix_unsafe():
    work = _read(
        """
        def get(session, project_id):
            project = session.get(Project, project_id)
            if not project:
                raise NotFound(f"no project {project_id}")
            return project
        """,
        key="project_id",
    )
    assert "raise NotFound" in _code(work)
    assert len(work.unsafe) == 1 and "raises for some keys" in work.unsafe[0]


@pytest.mark.parametrize(
    ("shaping", "reason"),
    [
        ("return {'first': email not in SEEN}", "with `SEEN`"),
        ("return {'name': user.display_name, 'tz': settings.tz}", "with `settings`"),
        ("return render(user)", "calls n1fix cannot show to be pure"),
        ("return user.full_name()", "calls n1fix cannot show to be pure"),
        ("return LABELS[user.kind]", "lookup n1fix cannot show to be pure"),
        ("return [u for u in user.friends]", "cannot show to be pure"),
    ],
)
def test_shaping_with_what_is_not_the_functions_own_gets_no_batch(shaping, reason):
    with pytest.raises(NoFix, match=reason):
        _read(
            f"""
            def get(session, email, settings):
                user = session.scalars(select(User).where(User.email == email)).first()
                if not user:
                    return None
                {shaping}
            """
        )


def test_shaping_with_else_or_statements_of_its_own_gets_no_batch():
    with pytest.raises(NoFix, match="does more than run its query"):
        _read(
            """
            def get(session, email):
                user = session.scalars(select(User).where(User.email == email)).first()
                if user:
                    return user.display_name
                else:
                    log.info("missing %s", email)
                return ""
            """
        )


def test_a_shadowed_conversion_is_not_the_builtin():
    with pytest.raises(NoFix, match="calls"):
        _read(
            """
            def str(value):
                return value

            def get(session, email):
                user = session.scalars(select(User).where(User.email == email)).first()
                if not user:
                    return ""
                return str(user.id)
            """
        )


def test_an_async_helper_reads_its_awaited_query_once_or_shapes_its_result():
    """A return that reads the awaited row once keeps the plain reading, which writes the
    query into it (`return (await session.scalar(q)) or 0`); one that reads it twice, or a
    guard before it, is shaping (open-webui's table methods: `return
    FileModel.model_validate(file) if file else None`)."""
    assert (
        _read(
            """
            async def count(session, email):
                total = await session.scalar(select(func.count(User.id)).where(User.email == email))
                return total or 0
            """
        )
        is None
    )
    work = _read(
        """
        async def label(session, email):
            user = await session.scalar(select(User).where(User.email == email))
            return user.display_name if user else ""
        """
    )
    assert (
        _code(work)
        .rstrip()
        .endswith('n1fix_batched_[email] = user.display_name if user else ""')
    )
    work = _read(
        """
        async def label(session, email):
            user = await session.scalar(select(User).where(User.email == email))
            if not user:
                return ""
            return user.display_name
        """
    )
    assert "user = await session.scalar(" in _code(work)


def test_an_await_after_the_query_gets_no_batch():
    with pytest.raises(NoFix, match="does more than run its query"):
        _read(
            """
            async def label(session, email):
                user = await session.scalar(select(User).where(User.email == email))
                if not user:
                    return ""
                return await describe(user)
            """
        )
    with pytest.raises(NoFix, match="awaits more than its query"):
        _read(
            """
            async def label(session, email):
                domain = await current_domain()
                user = await session.scalar(select(User).where(User.email == email))
                return user.display_name if user else domain
            """
        )


def test_a_helper_of_two_queries_gets_no_batch():
    """superset's `DatasetDAO.get_related_objects`: charts, then dashboards of those charts,
    returned in a dict. Only the first would be batched; the second would run once per key
    in the batch method's loop."""
    with pytest.raises(NoFix, match="runs more than one query"):
        _read(
            """
            def related(session, project_id):
                renders = session.scalars(
                    select(Render).where(Render.project_id == project_id)
                ).all()
                render_ids = [render.id for render in renders]
                items = session.scalars(
                    select(GalleryItem).where(GalleryItem.render_id.in_(render_ids))
                ).all()
                return {"renders": renders, "items": items}
            """,
            key="project_id",
        )


def test_a_key_rebound_after_the_query_gets_no_batch():
    with pytest.raises(NoFix, match="rebinds `email`"):
        _read(
            """
            def canonical(session, email):
                user = session.scalars(select(User).where(User.email == email)).first()
                email = user.email if user else email
                return {"email": email, "known": user is not None}
            """
        )
