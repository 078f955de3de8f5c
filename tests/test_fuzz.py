"""Fuzzing: generated programs through scan and apply never fail inside n1fix.

For every program: scanning raises nothing; applying (unsafe fixes included) raises
nothing, every rewrite compiles, and a second apply changes nothing. Two sources:
hypothesmith's programs from Python's grammar (odd code n1fix must survive), and
SQLAlchemy-shaped templates whose fragments are drawn by hypothesis (code the rules do
fire on: loop variables that shadow imports, statements before and in the loop that
block a fix, generators, async functions and methods, one to three copies per file).

Bounded for CI (well under a minute): a fixed number of examples, derandomized so every
run tries the same programs (a failure reproduces; raise N1FIX_FUZZ_EXAMPLES to explore).
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from n1fix_project import make_project

from n1fix.engine.api import fix_source, scan_source

EXAMPLES = int(os.environ.get("N1FIX_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


@lru_cache(maxsize=1)
def _service() -> Path:
    """app/service.py in a project with the User and Project models (made once)."""
    return (
        make_project(
            Path(tempfile.mkdtemp(prefix="n1fix-fuzz-")) / "proj", service=None
        )
        / "app"
        / "service.py"
    )


def _compiles(text: str) -> bool:
    try:
        compile(text, "<fuzz>", "exec", dont_inherit=True)
        cst.parse_module(text)
    except (
        SyntaxError,
        ValueError,
        RecursionError,
        MemoryError,
        cst.ParserSyntaxError,
    ):
        return False
    return True


def check_program(text: str) -> None:
    service = _service()
    service.write_text(text, encoding="utf-8")
    scan_source(service, text)
    outcome = fix_source(service, text, unsafe_fixes=True)
    assert all("\n" not in failure for failure in outcome.failures), outcome.failures
    if not outcome.changed:
        return
    compile(outcome.text, str(service), "exec", dont_inherit=True)
    service.write_text(outcome.text, encoding="utf-8")
    again = fix_source(service, outcome.text, unsafe_fixes=True)
    assert not again.changed, f"a second apply changed the code again:\n{outcome.text}"


@FUZZ
@given(hypothesmith.from_grammar())
def test_programs_from_the_grammar(text: str) -> None:
    assume(_compiles(text))
    check_program(text)


# --- SQLAlchemy-shaped programs with generated fragments ---------------------------------

NAMES = st.sampled_from(
    [
        "user",
        "item",
        "u",
        "row",
        "owner",
        "x",
        "project_owner",
        "result",
        "select",
        "session",
    ]
)
LISTS = st.sampled_from(
    [
        "users",
        "items",
        "rows",
        "users[:10]",
        "list(users)",
        "(u for u in users)",
        "sorted(users, key=len)",
    ]
)
QUERIES = st.sampled_from(
    [
        "session.scalars(select(Project).where(Project.user_id == {v}.id)).all()",
        "session.scalars(select(Project).where(Project.user_id == {v}.id).order_by(Project.id)).first()",
        "session.scalars(select(Project).where(Project.user_id == {v}.id)).first()",
        "session.execute(select(Project).where(Project.user_id == {v}.id)).scalars().all()",
        "session.get(User, {v}.id)",
        "session.query(Project).filter(Project.user_id == {v}.id).all()",
        "session.query(Project).filter_by(user_id={v}.id).one_or_none()",
        "session.scalar(select(func.count()).select_from(Project).where(Project.user_id == {v}.id))",
    ]
)
BEFORE = st.sampled_from(
    [
        "",
        "    session.flush()\n",
        "    total = 0\n",
        "    {v} = None\n",
        "    users.append(None)\n",
    ]
)
INSIDE = st.sampled_from(
    [
        "",
        "        if not {v}:\n            continue\n",
        "        session.add({v})\n",
        "        print({v})\n",
        "        {v}.name = 'x'\n",
        "        break\n",
        "        found = {{}}\n",
        "        session.commit()\n",
    ]
)
AFTER = st.sampled_from(
    [
        "        out[{v}.id] = found\n",
        "        out.setdefault({v}.id, []).append(found)\n",
        "        if found:\n            out[{v}.id] = found\n",
        "        yield found\n",
        "        out[{v}.id] = found\n        del found\n",
    ]
)
WRAPPERS = st.sampled_from(["def", "async def", "method"])

TEMPLATE_HEADER = """\
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Project, User

"""


@st.composite
def sqlalchemy_programs(draw) -> str:
    v = draw(NAMES)
    loop = (
        draw(BEFORE).format(v=v)
        + f"    out = {{}}\n    for {v} in {draw(LISTS)}:\n"
        + draw(INSIDE).format(v=v)
        + f"        found = {draw(QUERIES).format(v=v)}\n"
        + draw(AFTER).format(v=v)
        + "    return out\n"
    )
    wrapper = draw(WRAPPERS)
    signature = "(session: Session, users: list[User], items=(), rows=())"
    if wrapper == "method":
        body = "".join(f"    {line}\n" if line else "\n" for line in loop.splitlines())
        function = f"class Service:\n    def load(self, session: Session, users: list[User], items=(), rows=()):\n{body}"
    else:
        function = f"{wrapper} load{signature}:\n{loop}"
    copies = draw(st.integers(min_value=1, max_value=3))
    functions = "\n\n".join(
        function.replace("load", f"load_{i}").replace(
            "class Service", f"class Service{i}"
        )
        for i in range(copies)
    )
    return TEMPLATE_HEADER + "\n" + functions


@FUZZ
@given(sqlalchemy_programs())
def test_sqlalchemy_shaped_programs(text: str) -> None:
    assume(_compiles(text))
    check_program(text)


def test_the_templates_do_reach_the_fixer() -> None:
    # The shaped programs must exercise rewrites, not only scans: the plainest one is fixed.
    text = TEMPLATE_HEADER + (
        "\ndef load(session: Session, users: list[User]):\n    out = {}\n    for user in users:\n"
        "        found = session.scalars(select(Project).where(Project.user_id == user.id)).all()\n"
        "        out[user.id] = found\n    return out\n"
    )
    service = _service()
    service.write_text(text, encoding="utf-8")
    assert fix_source(service, text).changed


pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")
