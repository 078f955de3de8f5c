"""After every rewrite, every name read must be bound where it is read (scope analysis).

`compile()` accepts both failures below; they only show when the code runs.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from n1fix.codemods.query_in_loop import loop_keys
from n1fix.cst.name_binding import new_unbound_reads
from n1fix.engine.api import fix_source

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

BEFORE = """
    IDS = (1, 2)


    def totals(rows):
        for i in range(3):
            if i:
                print(carried)
            carried = i
        return [row for row in IDS]
"""


def _check(before: str, after: str) -> str | None:
    return new_unbound_reads(
        cst.parse_module(textwrap.dedent(before)),
        cst.parse_module(textwrap.dedent(after)),
    )


def test_rebinding_a_global_in_a_function_is_a_read_before_assignment():
    after = BEFORE.replace(
        "        return [row", "        IDS = list(IDS)\n        return [row"
    )
    assert (
        _check(BEFORE, after)
        == "the rewrite reads `IDS` in `totals` before it is assigned there (UnboundLocalError)"
    )


def test_a_local_assigned_after_its_new_read_is_caught():
    after = BEFORE.replace(
        "        return [row",
        "        total = count + 1\n        count = 0\n        return [row",
    )
    assert "reads `count` in `totals` before it is assigned" in _check(BEFORE, after)


def test_a_name_defined_nowhere_is_caught():
    after = BEFORE.replace("[row for row in IDS]", "[row for row in users_by_id]")
    assert (
        _check(BEFORE, after)
        == "the rewrite reads `users_by_id` in `totals`, where no such name is defined (NameError)"
    )


def test_a_shadowed_builtin_read_before_its_local_assignment_is_caught():
    after = BEFORE.replace(
        "        return [row",
        "        keys = list(rows)\n        list = []\n        return [row",
    )
    assert "reads `list` in `totals` before it is assigned" in _check(BEFORE, after)


@pytest.mark.parametrize(
    "edit",
    [
        # the loop's earlier pass binds `carried`: present before, so not the rewrite's doing
        ("return [row", "total = 0\n        return [row"),
        # a local materialised from a parameter, `global` and `nonlocal` declarations
        ("return [row", "rows = list(rows)\n        return [row"),
        (
            "    def totals(rows):\n",
            "    def totals(rows):\n        global IDS\n        IDS = list(IDS)\n",
        ),
        (
            "return [row for row in IDS]",
            "def inner():\n            nonlocal rows\n            rows = list(rows)\n        return [row for row in IDS]",
        ),
    ],
)
def test_bound_reads_pass(edit):
    old, new = edit
    after = BEFORE.replace(old, new)
    assert _check(BEFORE, after) is None, after


def test_the_fixer_drops_a_rewrite_that_reads_a_local_before_assignment(
    tmp_path, monkeypatch
):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    service = tmp_path / "service.py"
    service.write_text(
        (GOLDEN / "query_in_loop" / "module_level_keys" / "before.py").read_text()
    )
    # the codemod as it was: `SHOWCASE_PROJECT_IDS = list(SHOWCASE_PROJECT_IDS)` in the function
    monkeypatch.setattr(loop_keys, "binds_locally", lambda scope, name: True)
    outcome = fix_source(service, service.read_text(), unsafe_fixes=True)
    assert not outcome.changed
    assert outcome.failures[0].endswith(
        "fix dropped: the rewrite reads `SHOWCASE_PROJECT_IDS` in `showcase` before it is assigned there (UnboundLocalError)"
    )


def test_a_companion_edit_that_reads_an_unbound_name_fails():
    from n1fix.cst.companions import CompanionEdit, CompanionFailed, apply_companion

    text = "def by_id(session, id):\n    return session.get(Thing, id)\n"
    edit = CompanionEdit(
        path=Path("dal.py"),
        display="dal.py",
        owner=None,
        after="by_id",
        name="by_ids",
        code="def by_ids(session, ids):\n    return {thing.id: thing for thing in missing_helper(session, ids)}\n",
    )
    with pytest.raises(
        CompanionFailed,
        match="reads `missing_helper` in `by_ids`, where no such name is defined",
    ):
        apply_companion(text, edit)


def test_a_star_import_may_define_a_new_name():
    before = "from sqlalchemy import *\n\n\ndef f(ids):\n    return ids\n"
    assert _check(before, before.replace("return ids", "return select(ids)")) is None


def test_a_name_defined_nowhere_moved_into_a_new_function_is_no_new_error():
    # A gather moves each await into a helper; a name the file never defines (the caller's
    # problem, or a star import elsewhere) is undefined there as it was before.
    before = """
        async def f(session):
            a = await session.get(User, 1)
            return a
    """
    moved = """
        async def f(session):
            async def load_a():
                return await session.get(User, 1)

            return await load_a()
    """
    assert _check(before, moved) is None
    twice = moved.replace("return await load_a()", "return await load_a(), User")
    assert (
        _check(before, twice)
        == "the rewrite reads `User` in `f`, where no such name is defined (NameError)"
    )


def test_a_module_level_read_no_binding_reaches_is_read_not_a_crash():
    # `__file__` is bound by the import system, not in the module (nor a builtin): the
    # module scope, which LibCST gives no node, must be labelled, not crash the check.
    before = """
        from pathlib import Path

        HERE = Path(__file__).parent


        def by_id(session, id):
            return session.get(Thing, id)
    """
    batch = before + (
        "\n\n        def by_ids(session, ids):\n"
        "            return {thing.id: thing for thing in session.scalars(ids)}\n"
    )
    assert _check(before, batch) is None
    assert (
        _check(before, before.replace("HERE = ", "HERE = undefined_root or "))
        == "the rewrite reads `undefined_root` at module level, where no such name is defined (NameError)"
    )
