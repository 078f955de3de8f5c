"""The items a loop skips before its query (`if T: continue`, `if T:` around it, a seen
set) become the filter of the batch's key list when each test gives the same answer
before the loop; otherwise the batch reads every item's key and the fix stays unsafe."""

from __future__ import annotations

import ast
import shutil
import textwrap
from pathlib import Path

import pytest
from collation_gaps import COLLATION_ONLY, label

from n1fix.engine.api import fix_source, scan_source

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

HEADER = """
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from pairapp.models import AssetRef, TaskRef
"""

QUERY = "session.scalars(select(AssetRef).where(AssetRef.dag_id == ref.dag_id).order_by(AssetRef.id)).all()"


def _service(tmp_path, body: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "pairapp", tmp_path / "pairapp")
    service = tmp_path / "service.py"
    code = f"""
        def assets(session: Session, refs: list[TaskRef], allowed: set[str], seen: set[str], memo: dict):
            out = []
            for ref in refs:
        {textwrap.indent(textwrap.dedent(body), " " * 16)}
            return out
        """
    service.write_text(textwrap.dedent(HEADER) + textwrap.dedent(code))
    return service


def _fixed(tmp_path, body: str):
    service = _service(tmp_path, body)
    (finding,) = scan_source(service, service.read_text())
    outcome = fix_source(service, service.read_text(), unsafe_fixes=True)
    keys = [
        ast.unparse(node)
        for node in ast.walk(ast.parse(outcome.text))
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "dag_ids"
    ]
    return finding, keys


@pytest.mark.parametrize(
    "body, keys",
    [
        # a skip restated as the test an item passes: `not in` flips to `in`
        (
            f"""
            if ref.dag_id not in allowed:
                continue
            out.append({QUERY})
            """,
            "dag_ids = [ref.dag_id for ref in refs if ref.dag_id in allowed]",
        ),
        # `not` drops, `or` becomes `and` of the negations
        (
            f"""
            if not ref.task_id or ref.dag_id is None:
                continue
            out.append({QUERY})
            """,
            "dag_ids = [ref.dag_id for ref in refs if ref.task_id and ref.dag_id is not None]",
        ),
        # a skip, then an `if` around the query: both, in the order the loop tests them
        (
            f"""
            if ref.dag_id in allowed: continue
            if ref.task_id != "load":
                out.append({QUERY})
            """,
            'dag_ids = [ref.dag_id for ref in refs if ref.dag_id not in allowed and ref.task_id != "load"]',
        ),
        # the `else` of an `if` runs when its test is false
        (
            f"""
            if ref.dag_id in allowed:
                out.append([])
            else:
                out.append({QUERY})
            """,
            "dag_ids = [ref.dag_id for ref in refs if ref.dag_id not in allowed]",
        ),
        # a seen set met as a skip: `key in seen` then `seen.add(key)`
        (
            f"""
            dag_id = ref.dag_id
            if dag_id in seen:
                continue
            seen.add(dag_id)
            out.append({QUERY})
            """,
            "dag_ids = [ref.dag_id for ref in refs if ref.dag_id not in seen]",
        ),
        # a dict memoising the rows per key: `memo[key] = ...` adds the key it tests
        (
            f"""
            if ref.dag_id not in memo:
                memo[ref.dag_id] = {QUERY}
            out.append(memo[ref.dag_id])
            """,
            "dag_ids = [ref.dag_id for ref in refs if ref.dag_id not in memo]",
        ),
    ],
)
def test_conditions_the_loop_skips_items_by_filter_the_keys(tmp_path, body, keys):
    finding, written = _fixed(tmp_path, body)
    assert label(finding) == COLLATION_ONLY, finding.message
    assert written == [ast.unparse(ast.parse(keys))]


@pytest.mark.parametrize(
    "body",
    [
        # the test calls code: it may act, or answer differently before the loop
        f"""
        if not allowed.issuperset([ref.dag_id]):
            continue
        out.append({QUERY})
        """,
        # the loop changes the set the test reads (not by the key it tests)
        f"""
        if ref.dag_id not in allowed:
            continue
        out.append({QUERY})
        allowed.add(ref.task_id)
        """,
        # a seen set that also loses keys
        f"""
        if ref.dag_id in seen:
            continue
        seen.add(ref.dag_id)
        out.append({QUERY})
        seen.discard(ref.task_id)
        """,
        # a seen set given another key than the one it tests
        f"""
        if ref.dag_id in seen:
            continue
        seen.add(ref.task_id)
        out.append({QUERY})
        """,
        # a memo given another key than the one it tests
        f"""
        if ref.dag_id not in memo:
            memo[ref.task_id] = {QUERY}
        """,
        # a memo the loop also takes keys out of
        f"""
        if ref.dag_id not in memo:
            memo[ref.dag_id] = {QUERY}
        del memo[ref.task_id]
        """,
        # a test reading a name the body binds after it
        f"""
        if ref.dag_id in allowed:
            continue
        out.append({QUERY})
        """.replace("ref.dag_id in allowed", "last is ref.dag_id")
        + "last = ref.dag_id\n",
        # state reached through an attribute the loop's calls may change
        f"""
        if ref.dag_id not in session.info:
            continue
        out.append({QUERY})
        """,
        # a `continue` n1fix does not read as `if T: continue`
        f"""
        if ref.dag_id not in allowed:
            out.append(None)
            continue
        out.append({QUERY})
        """,
    ],
)
def test_conditions_that_may_answer_otherwise_before_the_loop_leave_the_fix_unsafe(
    tmp_path, body
):
    service = _service(tmp_path, body)
    (finding,) = scan_source(service, service.read_text())
    assert finding.applicability.value == "unsafe", finding.message
    assert "the query runs only for some items" in finding.message


def test_a_set_changed_by_a_function_the_loop_calls_is_not_read_before_it(tmp_path):
    service = _service(
        tmp_path,
        f"""
        if ref.dag_id not in allowed:
            continue
        out.append({QUERY})
        allow(ref.task_id)
        """,
    )
    text = service.read_text().replace(
        "    out = []\n",
        "    out = []\n\n    def allow(dag_id):\n        allowed.add(dag_id)\n\n",
    )
    service.write_text(text)
    (finding,) = scan_source(service, text)
    assert finding.applicability.value == "unsafe", finding.message
