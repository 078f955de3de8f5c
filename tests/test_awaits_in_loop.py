"""awaits-in-loop: when the bounded gather applies, and what it writes."""

from __future__ import annotations

import textwrap

import pytest

from n1fix.engine.api import fix_source, scan_source

from test_sequential_awaits import DAL, project

LOOP_DAL = DAL + textwrap.dedent(
    """

    async def search(prefix: str):
        async with async_session() as session:
            return list(await session.scalars(select(User).where(User.name.startswith(prefix))))


    async def search_in(session: AsyncSession, prefix: str):
        return list(await session.scalars(select(User).where(User.name.startswith(prefix))))
    """
)
HEAD = "from app.dal import search, search_in\n\n\n"


def findings(tmp_path, body: str):
    tmp_path = (
        tmp_path / f"p{len(list(tmp_path.iterdir()))}"
    )  # a fresh project each call
    tmp_path.mkdir()
    path = project(tmp_path, HEAD + textwrap.dedent(body), LOOP_DAL)
    return path, [
        f for f in scan_source(path, path.read_text()) if f.rule == "awaits-in-loop"
    ]


def fixed(tmp_path, body: str) -> str:
    path, _ = findings(tmp_path, body)
    outcome = fix_source(path, path.read_text(), unsafe_fixes=True)
    assert outcome.failures == []
    return outcome.text


def test_a_dict_filled_per_item_becomes_a_bounded_gather(tmp_path):
    body = """\
        async def f(prefixes: list[str]):
            found = {}
            for prefix in prefixes:  # one search each
                found[prefix[:3]] = await search(prefix)
            return found
        """
    _, (finding,) = findings(tmp_path, body)
    assert (
        finding.applicability.value == "unsafe"
        and "at most 5 at once" in finding.message
    )
    assert fixed(tmp_path, body) == "import asyncio\n\n" + HEAD + textwrap.dedent(
        """\
        async def f(prefixes: list[str]):
            found = {}
            semaphore = asyncio.Semaphore(5)  # at most 5 reads at once (SQLAlchemy's default pool_size)

            async def search_bounded(prefix):
                async with semaphore:
                    return await search(prefix)

            # one search each
            results = await asyncio.gather(*(search_bounded(prefix) for prefix in prefixes))
            for prefix, result in zip(prefixes, results):
                found[prefix[:3]] = result
            return found
        """
    )


def test_appends_become_one_extend_and_a_bare_await_a_bare_gather(tmp_path):
    text = fixed(
        tmp_path,
        """\
        async def f(prefixes, pairs):
            out = []
            for prefix in prefixes:
                out.append(await search(prefix))
            for a, b in pairs:
                await search(a + b)
            return out
        """,
    )
    assert (
        "    out.extend(await asyncio.gather(*(search_bounded(prefix) for prefix in prefixes)))\n"
        in text
    )
    assert "    async def search_bounded_2(a, b):\n" in text
    assert (
        "    await asyncio.gather(*(search_bounded_2(a, b) for a, b in pairs))\n"
        in text
    )
    assert "semaphore_2 = asyncio.Semaphore(5)" in text


def test_items_that_may_be_a_generator_are_materialised_when_iterated_twice(tmp_path):
    text = fixed(
        tmp_path,
        """\
        async def f(rows):
            found = {}
            for prefix in (row.name for row in rows):
                found[prefix] = await search(prefix)
            return found
        """,
    )
    assert "    prefixes = list(row.name for row in rows)\n" in text
    assert "    for prefix, result in zip(prefixes, results):\n" in text


def test_generated_names_do_not_collide(tmp_path):
    text = fixed(
        tmp_path,
        """\
        async def f(prefixes: list[str], semaphore, results):
            found = {}
            for prefix in prefixes:
                found[prefix] = await search(prefix)
            return found, semaphore, results
        """,
    )
    assert (
        "semaphore_2 = asyncio.Semaphore(5)" in text
        and "async with semaphore_2:" in text
    )
    assert "results_2 = await asyncio.gather" in text


@pytest.mark.parametrize(
    "body, reason",
    [
        # a shared session: one AsyncSession must not run two statements at once
        (
            "found = {}\n    for p in ps:\n        found[p] = await search_in(session, p)\n",
            "every call uses `session`",
        ),
        # gathered, every search would run: the loop stopped at the first hit
        (
            "found = {}\n    for p in ps:\n        found[p] = await search(p)\n        if found[p]:\n            break\n",
            "does more than the one await",
        ),
        (
            "found = {}\n    for p in ps:\n        found[p] = await search(p)\n    else:\n        found = None\n",
            "`else` clause",
        ),
        (
            "found = {}\n    try:\n        for p in ps:\n            found[p] = await search(p)\n    except KeyError:\n        pass\n",
            "sits in a `try`",
        ),
        (
            "found = {}\n    async for p in ps:\n        found[p] = await search(p)\n",
            "`async for`",
        ),
        (
            "found = {}\n    for p in ps:\n        found[p] = await search(p.pop())\n",
            "has effects of its own",
        ),
        (
            "found = {}\n    for p in ps:\n        found[next(it)] = await search(p)\n",
            "the key `next(it)` has effects",
        ),
        (
            "found = []\n    for p in ps:\n        found.append(await search(p + str(len(found))))\n",
            "reads `found`, which the loop fills",
        ),
        (
            "found = {}\n    for p in ps:\n        found[len(found)] = await search(p)\n",
            "reads `found`, which the loop fills",
        ),
        # `extend` on anything but a list may not be the appends
        (
            "for p in ps:\n        found.append(await search(p))\n",
            "cannot tell that `found` is a list",
        ),
        (
            "found = []\n    for p in ps:\n        found.append(await search(p))\n    print(p)\n",
            "`p` is read outside the loop",
        ),
        (
            "found = set()\n    for p in ps:\n        found.add(await search(p))\n",
            "n1fix rewrites only",
        ),
        (
            "found = None\n    for p in ps:\n        found = await search(p)\n",
            "n1fix rewrites only",
        ),
        (
            "found = {}\n    for p, *rest in ps:\n        found[p] = await search(p)\n",
            "is not a name or a tuple of names",
        ),
    ],
)
def test_no_bounded_gather_names_the_condition_that_failed(tmp_path, body, reason):
    _, found = findings(
        tmp_path, f"async def f(ps, it, session):\n    {body}    return found\n"
    )
    assert [f.applicability.value for f in found] == ["none"]
    assert reason in found[0].message, found[0].message


def test_a_second_run_finds_nothing_to_fix(tmp_path):
    text = fixed(
        tmp_path,
        "async def f(ps: list[str]):\n    found = {}\n    for p in ps:\n        found[p] = await search(p)\n    return found\n",
    )
    (tmp_path / "again").mkdir()
    path = project(tmp_path / "again", text, LOOP_DAL)
    assert [f for f in scan_source(path, text) if f.rule == "awaits-in-loop"] == []


def test_awaits_in_a_loop_are_reported_once_by_the_rule_that_can_fix_them(tmp_path):
    dal = DAL + textwrap.dedent(
        """

        async def search(prefix: str):
            async with async_session() as session:
                return list(await session.scalars(select(User).where(User.name.startswith(prefix))))
        """
    )
    service = textwrap.dedent(
        """\
        from app.dal import AuthDAL, search


        async def f(prefixes, session, ids):
            found = {}
            for prefix in prefixes:
                found[prefix] = await search(prefix)
            for i in ids:
                await session.get(User, i)
            for prefix in prefixes:
                await search("fixed")
            return found
        """
    )
    path = project(tmp_path, service, dal)
    found = [
        f for f in scan_source(path, path.read_text()) if f.rule == "awaits-in-loop"
    ]
    # the keyed `session.get` per item is query-in-loop's; a call that does not vary is not per item
    assert [(f.line, f.applicability.value, f.loop_line) for f in found] == [
        (7, "unsafe", 6)
    ]
    assert "at most 5 at once" in found[0].message  # a bounded gather


# The split from sequential-awaits: the loop is this rule's alone, and the old name still covers it.
LOOP = """\
    async def f(prefixes: list[str]):
        found = {}
        for prefix in prefixes:{comment}
            found[prefix] = await search(prefix)
        return found
    """


def scan_all(tmp_path, comment: str = "", config: str = ""):
    path = project(
        tmp_path, HEAD + textwrap.dedent(LOOP.replace("{comment}", comment)), LOOP_DAL
    )
    (tmp_path / "pyproject.toml").write_text(config)
    return sorted((f.rule, f.line) for f in scan_source(path, path.read_text()))


def test_the_loop_is_reported_by_this_rule_alone(tmp_path):
    assert scan_all(tmp_path) == [("awaits-in-loop", 7)]


def test_a_suppression_naming_sequential_awaits_still_silences_the_loop(tmp_path):
    # Written before the split: neither the loop nor the comment (it silences something) is reported.
    assert (
        scan_all(tmp_path, "  # n1fix: ignore[sequential-awaits] a handful of prefixes")
        == []
    )


def test_a_suppression_naming_another_rule_does_not_silence_the_loop(tmp_path):
    found = scan_all(tmp_path, "  # n1fix: ignore[query-in-loop] a handful of prefixes")
    assert found == [("awaits-in-loop", 7), ("unused-suppression", 6)]


@pytest.mark.parametrize(
    "config, expected",
    [
        ('[tool.n1fix]\nselect = ["sequential-awaits"]\n', [("awaits-in-loop", 7)]),
        ('[tool.n1fix]\nignore = ["sequential-awaits"]\n', []),
        (
            '[tool.n1fix]\nselect = ["sequential-awaits"]\nignore = ["awaits-in-loop"]\n',
            [],
        ),
        ('[tool.n1fix]\nselect = ["awaits-in-loop"]\n', [("awaits-in-loop", 7)]),
    ],
)
def test_select_and_ignore_of_sequential_awaits_cover_the_loop(
    tmp_path, config, expected
):
    assert scan_all(tmp_path, config=config) == expected


def test_removing_the_old_name_is_unsafe_while_the_loop_rule_is_left_out(tmp_path):
    # `sequential-awaits` ran and found nothing there, but the loop rule the name also covers did not run.
    path = project(
        tmp_path,
        HEAD
        + textwrap.dedent(
            LOOP.replace("{comment}", "  # n1fix: ignore[sequential-awaits]")
        ),
        LOOP_DAL,
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.n1fix]\nselect = ["sequential-awaits", "unused-suppression"]\nignore = ["awaits-in-loop"]\n'
    )
    (finding,) = scan_source(path, path.read_text())
    assert (finding.rule, finding.line, finding.applicability.value) == (
        "unused-suppression",
        6,
        "unsafe",
    )


def test_the_bot_grouping_by_rule_keeps_the_loop_out_of_the_sequential_awaits_branch(
    tmp_path,
):
    from pathlib import Path

    from n1fix.bot.fixes import compute
    from n1fix.bot.grouping import GroupBy

    service = """\
        from app.dal import AuthDAL, search


        async def f(uid, prefixes: list[str]):
            a = await AuthDAL.own(uid)
            b = await AuthDAL.own(2)
            found = {}
            for prefix in prefixes:
                found[prefix] = await search(prefix)
            return a, b, found
        """
    project(tmp_path, service, LOOP_DAL)
    computed = compute(
        tmp_path, Path("."), [Path("app/service.py")], GroupBy.rule, unsafe_fixes=True
    )
    assert {
        group.key: sorted(f.rule for f in group.findings) for group in computed.groups
    } == {
        "awaits-in-loop": ["awaits-in-loop"],
        "sequential-awaits": ["sequential-awaits"],
    }
