"""sequential-awaits beyond the golden cases: the session-use facts, each independence
check on its own, and the shape of the rewrite."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from n1fix.engine.api import fix_source, scan_source
from n1fix.orm.session_use import (
    SessionFactory,
    SessionUse,
    SessionUseIndex,
    extract_session_use,
)

DAL = """
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from app.models import User
from app import db

engine = create_async_engine("sqlite+aiosqlite://")
async_session = async_sessionmaker(engine)


class AuthDAL:
    @staticmethod
    async def own(user_id: int):
        async with async_session() as session:
            return await session.get(User, user_id)

    @staticmethod
    async def own_connection(user_id: int):
        async with engine.connect() as conn:
            result = await conn.execute(select(User.email).where(User.id == user_id))
            return result.scalar()

    @staticmethod
    async def own_explicit(user_id: int):
        async with AsyncSession(engine) as session:
            return await session.scalar(select(User).where(User.id == user_id))

    @staticmethod
    async def takes(session: AsyncSession, user_id: int):
        return await session.get(User, user_id)

    @staticmethod
    async def hands_on(db, user_id: int):
        return await helper(db, user_id)

    @staticmethod
    async def writes_text(user_id: int):
        async with async_session() as session:
            stmt = text("UPDATE users SET email = '' WHERE id = :id")
            await session.execute(stmt, {"id": user_id})

    @staticmethod
    async def writes_update(user_id: int):
        async with async_session() as session:
            await session.execute(update(User).values(email=""))
            await session.commit()

    @staticmethod
    async def calls_writer(user_id: int):
        await AuthDAL.writes_update(user_id)

    @staticmethod
    async def uses_global(user_id: int):
        return await db.session.get(User, user_id)


class UsersRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int):
        return await self.session.get(User, user_id)
"""


def facts(source: str = DAL) -> dict:
    found = extract_session_use(
        ast.parse(source),
        "app.dal",
        "app/dal.py",
        {"User": "app.models.User", "db": "app.db"},
    )
    return {f.name: f for f in found if isinstance(f, SessionUse)}


def test_facts_opening_taking_and_holding_sessions():
    f = facts()
    assert (
        f["own"].opens_session and f["own"].session_params == () and not f["own"].writes
    )
    assert (
        f["own_connection"].opens_session and f["own_connection"].queries
    )  # `result` holds rows
    assert f["own_explicit"].opens_session
    assert f["takes"].session_params == ("session",) and not f["takes"].opens_session
    assert f["hands_on"].session_params == ("db",) and f["hands_on"].delegates == (
        "app.dal.helper",
    )
    assert f["get"].instance_session == "session"
    assert f["uses_global"].global_sessions == ("app.db.session",)


def test_module_level_sessionmakers_are_facts():
    found = extract_session_use(
        ast.parse(
            DAL
            + "\nother = sessionmaker(engine, class_=AsyncSession)\nsync = sessionmaker(engine)\n"
        ),
        "app.dal",
        "app/dal.py",
        {},
    )
    factories = {f.qualname for f in found if isinstance(f, SessionFactory)}
    assert factories == {"app.dal.async_session", "app.dal.other"}
    index = SessionUseIndex.from_facts(found)
    assert index.is_factory("app.dal.async_session") and index.is_factory(
        "src.app.dal.other"
    )
    assert not index.is_factory("app.dal.sync")


def test_facts_writes_directly_and_through_a_delegate():
    f = facts()
    assert f["writes_text"].writes  # text("UPDATE ...") through a variable
    assert f["writes_update"].writes
    index = SessionUseIndex.from_facts(f.values())
    assert not f["calls_writer"].writes
    assert index.effects(f["calls_writer"]).writes
    assert index.effects(f["hands_on"]).unknown == ("app.dal.helper",)
    assert index.effects(f["own"]).unknown == ()


def project(tmp_path: Path, service: str, dal: str = DAL) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text("")
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text("class User:\n    pass\n")
    (app / "db.py").write_text("session = None\n")
    (app / "dal.py").write_text(textwrap.dedent(dal))
    path = app / "service.py"
    path.write_text(textwrap.dedent(service))
    return path


def scan(tmp_path: Path, service: str):
    path = project(tmp_path, service)
    return [
        f for f in scan_source(path, path.read_text()) if f.rule == "sequential-awaits"
    ]


HEAD = "from app.dal import AuthDAL, UsersRepo\n\n\n"


def test_own_sessions_are_a_safe_gather(tmp_path):
    found = scan(
        tmp_path,
        HEAD
        + "async def f(uid):\n    a = await AuthDAL.own(uid)\n    b = await AuthDAL.own_connection(uid)\n    return a, b\n",
    )
    assert [(f.line, f.applicability.value) for f in found] == [(5, "safe")]
    assert "each opens its own session" in found[0].message


@pytest.mark.parametrize(
    "body, reason",
    [
        ("a = await AuthDAL.own(uid)\n    b = await AuthDAL.own(a.id)", "reads `a`"),
        (
            "a = await AuthDAL.takes(session, uid)\n    b = await AuthDAL.takes(session, 2)",
            "share the session `session`",
        ),
        (
            "a = await AuthDAL.hands_on(session, uid)\n    b = await session.scalar(q)",
            "share the session `session`",
        ),
        (
            "a = await AuthDAL.own(uid)\n    await AuthDAL.calls_writer(uid)\n    b = await AuthDAL.own(uid)",
            "`AuthDAL.calls_writer()` writes",
        ),
        (
            "a = await AuthDAL.uses_global(uid)\n    b = await AuthDAL.uses_global(2)",
            "share the session `app.db.session`",
        ),
        (
            "a = await AuthDAL.own(uid)\n    await asyncio.sleep(1)\n    b = await AuthDAL.own(2)",
            "waits on purpose",
        ),
        (
            "a = await AuthDAL.own(uid)\n    b = await AuthDAL.own(await nxt())",
            "has effects of its own",
        ),
        ("a = await AuthDAL.own(uid)\n    a = await AuthDAL.own(2)", "assigned twice"),
        (
            "a = await AuthDAL.own(uid)\n    await run_sql('DELETE FROM users WHERE id = $1', uid)\n    b = await AuthDAL.own(2)",
            "is given a write statement",
        ),
    ],
)
def test_awaits_that_cannot_run_together_are_not_reported(tmp_path, body, reason):
    # Each of these is right as written (the reason says why): a finding would give the
    # user nothing to change. Without the reason, `AuthDAL.own` twice is a safe gather
    # (test_own_sessions_are_a_safe_gather).
    service = (
        "import asyncio\n"
        + HEAD
        + f"async def f(session, uid, q, nxt, run_sql):\n    {body}\n    return a\n"
    )
    assert scan(tmp_path, service) == [], reason


def test_methods_of_one_repository_object_share_its_session(tmp_path):
    service = HEAD + (
        "class Service:\n"
        "    def __init__(self, session):\n        self.session = session\n\n"
        "    async def a(self, uid):\n        return await self.session.get(User, uid)\n\n"
        "    async def f(self, uid):\n        x = await self.a(uid)\n        y = await self.a(2)\n        return x, y\n"
    )
    # `self.session` is shared, so the reads cannot run together: not reported
    assert scan(tmp_path, service) == []


def test_a_local_function_closing_over_the_session_shares_it(tmp_path):
    service = HEAD + (
        "async def f(session, uid):\n"
        "    async def load(i):\n        return await session.get(User, i)\n\n"
        "    a = await load(uid)\n    b = await session.get(User, 2)\n    return a, b\n"
    )
    # `load` uses the caller's `session`, so the reads cannot run together: not reported
    assert scan(tmp_path, service) == []


def test_single_database_await_and_loops_are_not_reported(tmp_path):
    service = HEAD + (
        "async def f(uid, client):\n"
        "    a = await AuthDAL.own(uid)\n    b = await client.post(uid)\n"
        "    for i in range(3):\n        c = await AuthDAL.own(i)\n    return a, b\n"
    )
    assert scan(tmp_path, service) == []


def test_a_receiver_only_used_like_a_session_makes_the_fix_unsafe(tmp_path):
    service = (
        HEAD
        + "async def f(uid, pool):\n    a = await AuthDAL.own(uid)\n    b = await pool.fetch(uid)\n    return a, b\n"
    )
    found = scan(tmp_path, service)
    assert [f.applicability.value for f in found] == ["unsafe"]
    assert "cannot tell what `pool` is" in found[0].message


def test_a_write_and_commit_on_one_session_is_not_reported(tmp_path):
    service = "async def f(session, stmt):\n    await session.execute(stmt.values(x=1))\n    await session.commit()\n"
    assert scan(tmp_path, service) == []


def fixed(tmp_path: Path, service: str) -> str:
    path = project(tmp_path, service)
    outcome = fix_source(path, path.read_text())
    assert outcome.failures == []
    return outcome.text


def test_rewrite_keeps_annotations_comments_and_bare_awaits(tmp_path):
    service = HEAD + textwrap.dedent(
        """\
        async def f(uid: int) -> None:
            # the user first
            a: object = await AuthDAL.own(uid)  # cached later
            # then the e-mail
            await AuthDAL.own_connection(uid)
            return a
        """
    )
    assert fixed(tmp_path, service) == "import asyncio\n\n" + HEAD + textwrap.dedent(
        """\
        async def f(uid: int) -> None:
            # the user first
            a: object
            # cached later
            # then the e-mail
            a, _ = await asyncio.gather(AuthDAL.own(uid), AuthDAL.own_connection(uid))
            return a
        """
    )


def test_rewrite_uses_the_module_spelling_and_avoids_underscore(tmp_path):
    service = (
        "import asyncio as aio\nfrom gettext import gettext as _\n\n"
        + HEAD
        + textwrap.dedent(
            """\
        async def f(uid):
            await AuthDAL.own(uid)
            b = await AuthDAL.own_connection(uid)
            return _(b)
        """
        )
    )
    text = fixed(tmp_path, service)
    assert (
        "_unused, b = await aio.gather(AuthDAL.own(uid), AuthDAL.own_connection(uid))"
        in text
    )
    assert text.count("import asyncio") == 1


def test_only_bare_awaits_stay_a_bare_statement(tmp_path):
    service = (
        "import asyncio\n"
        + HEAD
        + "async def f(uid):\n    await AuthDAL.own(uid)\n    await AuthDAL.own(2)\n"
    )
    assert "\n    await asyncio.gather(AuthDAL.own(uid), AuthDAL.own(2))\n" in fixed(
        tmp_path, service
    )


OWN = "from app.dal import AuthDAL, async_session\n\n\n"


@pytest.mark.parametrize(
    "service, applicability",
    [
        # the sessionmaker in reach: a session each, as an unsafe fix
        (
            OWN
            + "async def f(session, uid):\n    a = await AuthDAL.takes(session, uid)\n    b = await session.get(User, 2)\n    return a, b\n",
            "unsafe",
        ),
        # no sessionmaker imported or defined here: they cannot run together, not reported
        (
            HEAD
            + "async def f(session, uid):\n    a = await AuthDAL.takes(session, uid)\n    b = await AuthDAL.takes(session, 2)\n    return a, b\n",
            "none",
        ),
        # the reads were meant to share one transaction
        (
            OWN + "async def f(session, uid):\n    async with session.begin():\n"
            "        a = await AuthDAL.takes(session, uid)\n        b = await AuthDAL.takes(session, 2)\n    return a, b\n",
            "none",
        ),
        # a callee whose effects are unknown would have its writes rolled back with the new session
        (
            OWN
            + "async def f(session, uid):\n    a = await AuthDAL.hands_on(session, uid)\n    b = await AuthDAL.takes(session, 2)\n    return a, b\n",
            "none",
        ),
        # a connection is not replaced by a session
        (
            OWN
            + "async def f(conn, uid):\n    a = await AuthDAL.takes(conn, uid)\n    b = await AuthDAL.takes(conn, 2)\n    return a, b\n",
            "none",
        ),
    ],
)
def test_a_session_each_only_when_a_sessionmaker_is_in_reach(
    tmp_path, service, applicability
):
    found = scan(tmp_path, service)
    if applicability == "none":  # no session each: the reads cannot run together
        assert found == []
        return
    assert [f.applicability.value for f in found] == [applicability]
    assert "`session`" in found[0].message


def test_a_session_each_is_laid_out_as_black_would(tmp_path):
    service = OWN + textwrap.dedent(
        """\
        async def f(session, uid):
            x = 1
            a = await AuthDAL.takes(session, uid)
            c = await session.get(User, 2)
            return a, c
        """
    )
    path = project(tmp_path, service)
    outcome = fix_source(path, path.read_text(), unsafe_fixes=True)
    assert outcome.text.endswith(
        textwrap.dedent(
            """\
            async def f(session, uid):
                x = 1

                async def load_a():
                    async with async_session() as session:
                        return await AuthDAL.takes(session, uid)

                async def load_c():
                    async with async_session() as session:
                        return await session.get(User, 2)

                a, c = await asyncio.gather(load_a(), load_c())
                return a, c
            """
        )
    )


def test_facts_follow_a_name_assigned_from_itself_without_looping():
    source = (
        "async def walk(node):\n    node = node.parent\n    await node.execute(q)\n"
    )
    (use,) = extract_session_use(ast.parse(source), "m", "m.py", {})
    assert use.session_params == ("node",)


def test_a_context_manager_that_is_not_a_database_session_is_unknown_not_a_read():
    source = (
        "async def flush(self, key):\n"
        "    async with self.redis.pipeline() as pipe:\n"
        "        pipe.xadd(key, {})\n"
        "        await pipe.execute()\n"
    )
    (use,) = extract_session_use(ast.parse(source), "m", "m.py", {})
    assert (
        not use.opens_session
        and not use.queries
        and use.delegates == ("?pipe.execute",)
    )
    assert SessionUseIndex.from_facts([use]).effects(use).unknown == ("pipe.execute",)


def test_inside_try_awaits_that_cannot_run_together_are_not_reported(tmp_path):
    # `b` reads `a`: they cannot run together, try or not, so there is nothing to report
    service = HEAD + (
        "async def f(uid):\n    try:\n        a = await AuthDAL.own(uid)\n        b = await AuthDAL.own(a.id)\n"
        "    except LookupError:\n        return None\n    return b\n"
    )
    assert scan(tmp_path, service) == []


def test_inside_try_independent_reads_are_reported_without_a_fix(tmp_path):
    service = HEAD + (
        "async def f(uid):\n    try:\n        a = await AuthDAL.own(uid)\n        b = await AuthDAL.own(2)\n"
        "    except LookupError:\n        return None\n    return a, b\n"
    )
    (found,) = scan(tmp_path, service)
    assert found.applicability.value == "none" and "`try`" in found.message


def test_sql_text_with_side_effects_is_a_write():
    source = "async def notify(session, key):\n    await session.execute(sa.text(f\"NOTIFY changes, '{key}'\"))\n"
    (use,) = extract_session_use(ast.parse(source), "m", "m.py", {})
    assert use.writes and use.session_params == ("session",)


def test_a_session_each_from_the_sessionmaker_the_class_holds(tmp_path):
    service = HEAD + textwrap.dedent(
        """\
        from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


        class AccountService:
            def __init__(self, session: AsyncSession, session_factory: async_sessionmaker[AsyncSession]) -> None:
                self.session = session
                self.session_factory = session_factory

            async def page(self, uid):
                a = await AuthDAL.takes(self.session, uid)
                b = await AuthDAL.takes(self.session, 2)
                return a, b

            async def other(self, session, uid):
                a = await AuthDAL.takes(session, uid)
                b = await AuthDAL.takes(session, 2)
                return a, b
        """
    )
    path = project(tmp_path, service)
    found = [
        f for f in scan_source(path, path.read_text()) if f.rule == "sequential-awaits"
    ]
    assert [(f.line, f.applicability.value) for f in found] == [
        (13, "unsafe"),
        (18, "unsafe"),
    ]
    text = fix_source(path, path.read_text(), unsafe_fixes=True).text
    # the attribute gives way to a local session of its own; a parameter keeps its name
    assert (
        "        async def load_a():\n            async with self.session_factory() as session:\n"
        in text
    )
    assert "                return await AuthDAL.takes(session, 2)\n" in text
    assert "self.session," not in text


GATES = """
from fastapi import HTTPException

from app.dal import AuthDAL


def require(flag):
    if not flag:
        raise HTTPException(403)


async def check_permission(uid):
    user = await AuthDAL.own(uid)
    if user is None:
        raise HTTPException(403)


async def check_folder(uid, folder_id):
    user = await AuthDAL.own(uid)
    require(user)


async def bare_reraise(uid):
    try:
        return await AuthDAL.own(uid)
    except Exception:
        raise
"""


def test_facts_say_what_a_function_raises_by_design():
    found = extract_session_use(
        ast.parse(GATES),
        "app.gates",
        "app/gates.py",
        {"HTTPException": "fastapi.HTTPException"},
    )
    f = {fact.qualname.rpartition(".")[2]: fact for fact in found}
    index = SessionUseIndex.from_facts([*found, *facts().values()])
    assert index.raises(f["check_permission"]) == "raises `HTTPException`"
    # through a plain helper of the project
    assert (
        index.raises(f["check_folder"])
        == "calls `require()`, which raises `HTTPException`"
    )
    # a bare `raise` passes on an error that was happening anyway
    assert index.raises(f["bare_reraise"]) is None


def gate_project(tmp_path: Path, service: str) -> Path:
    path = project(tmp_path, service)
    (path.parent / "gates.py").write_text(textwrap.dedent(GATES))
    return path


def scan_gates(tmp_path: Path, service: str):
    path = gate_project(tmp_path, service)
    return [
        f for f in scan_source(path, path.read_text()) if f.rule == "sequential-awaits"
    ]


GATE_HEAD = "from app.dal import AuthDAL\nfrom app.gates import check_folder, check_permission\n\n\n"


def test_a_gate_orders_the_awaits_after_it(tmp_path):
    # the check raises by design: the read must not run for a refused caller
    service = (
        GATE_HEAD
        + "async def f(db, uid):\n    await check_permission(uid)\n    a = await AuthDAL.takes(db, uid)\n    return a\n"
    )
    assert scan_gates(tmp_path, service) == []


def test_two_checks_that_can_each_raise_are_not_gathered(tmp_path):
    # outside any try, the caller's handler sees whichever error comes first: keep the order
    service = (
        GATE_HEAD
        + "async def f(uid, folder_id):\n    await check_permission(uid)\n    await check_folder(uid, folder_id)\n"
    )
    assert scan_gates(tmp_path, service) == []


def test_a_gate_after_a_read_on_the_callers_session_is_not_gathered(tmp_path):
    # gathered, a refusal would leave the read running on `db`, which the caller then closes
    service = (
        GATE_HEAD
        + "async def f(db, uid):\n    a = await AuthDAL.takes(db, uid)\n    await check_permission(uid)\n    return a\n"
    )
    assert scan_gates(tmp_path, service) == []


def test_reads_after_a_gate_still_go_together(tmp_path):
    service = GATE_HEAD + (
        "async def f(uid):\n    await check_permission(uid)\n"
        "    a = await AuthDAL.own(uid)\n    b = await AuthDAL.own_connection(uid)\n    return a, b\n"
    )
    found = scan_gates(tmp_path, service)
    assert [(f.line, f.applicability.value) for f in found] == [(7, "safe")]


def test_an_unseen_call_may_only_come_last_after_proven_reads(tmp_path):
    head = HEAD.replace("\n\n\n", "\nfrom somewhere import Memories\n\n\n")
    before = (
        head
        + "async def f(db, uid):\n    await Memories.wipe(uid, db=db)\n    a = await AuthDAL.own(uid)\n    b = await AuthDAL.own(2)\n    return a, b\n"
    )
    # the unseen call may write or refuse: the reads after it wait; those two still go together
    assert [(f.line, f.applicability.value) for f in scan(tmp_path / "1", before)] == [
        (7, "safe")
    ]
    after = (
        head
        + "async def f(db, uid):\n    a = await AuthDAL.own(uid)\n    await Memories.wipe(uid, db=db)\n    return a\n"
    )
    (found,) = scan(tmp_path / "2", after)
    assert (
        found.applicability.value == "unsafe"
        and "may write" in found.message
        and "none writes" not in found.message
    )
    # after a read on the caller's session it may not come at all: it may raise
    held = (
        head
        + "async def f(db, uid):\n    a = await AuthDAL.takes(db, uid)\n    await Memories.wipe(uid)\n    return a\n"
    )
    assert scan(tmp_path / "3", held) == []


def test_a_run_cut_by_an_await_inside_an_expression_gets_no_partial_gather(tmp_path):
    service = HEAD + (
        "async def f(uid):\n"
        "    a = await AuthDAL.own(1)\n"
        "    b = await AuthDAL.own(2) or 'none'\n"
        "    c = await AuthDAL.own(3)\n"
        "    d = await AuthDAL.own(4)\n"
        "    e = await AuthDAL.own(5) or 'none'\n"
        "    return a, b, c, d, e\n"
    )
    (found,) = scan(tmp_path, service)
    assert found.line == 7 and found.applicability.value == "none"
    assert "line 6" in found.message and "awaited inside an expression" in found.message
    path = project(tmp_path / "fix", service)
    assert (
        fix_source(path, path.read_text(), unsafe_fixes=True).text == path.read_text()
    )


def test_an_await_inside_an_expression_that_depends_on_the_run_does_not_cut_it(
    tmp_path,
):
    service = HEAD + (
        "async def f(uid):\n"
        "    c = await AuthDAL.own(3)\n"
        "    d = await AuthDAL.own(4)\n"
        "    e = await AuthDAL.own(d.id) or 'none'\n"
        "    return c, d, e\n"
    )
    assert [(f.line, f.applicability.value) for f in scan(tmp_path, service)] == [
        (5, "safe")
    ]


def test_no_gather_whose_targets_do_not_fit_the_line_length(tmp_path):
    names = [f"ldap_server_setting_number_{i}" for i in range(6)]
    body = "".join(
        f"    {name} = await AuthDAL.own({i})\n" for i, name in enumerate(names)
    )
    service = HEAD + "async def f(uid):\n" + body + f"    return {', '.join(names)}\n"
    (found,) = scan(tmp_path, service)
    assert (
        found.applicability.value == "none"
        and "over the line length of" in found.message
    )


def test_an_unseen_call_inside_an_expression_does_not_make_the_run_partial(tmp_path):
    head = HEAD.replace("\n\n\n", "\nfrom somewhere import Channels\n\n\n")
    service = head + (
        "async def f(uid, db):\n"
        "    a = await AuthDAL.own(1)\n"
        "    b = await AuthDAL.own(2)\n"
        "    members = {m.id: m for m in await Channels.members(uid, db=db)}\n"
        "    return a, b, members\n"
    )
    assert [(f.line, f.applicability.value) for f in scan(tmp_path, service)] == [
        (6, "safe")
    ]
