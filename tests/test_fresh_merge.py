"""write-in-loop, `session.merge(M(pk=<random uuid>, ...))` per item: the object is new by
construction, so `session.add()` does what merge did without its lookup
(fresh_merge.py); anything not shown keeps the merge as it was judged before."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from n1fix.engine.api import fix_source, scan_source

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

HEADER = """\
import uuid
from uuid import uuid4 as new_id

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from uuidapp.models import LoginLog, Person
"""


def _findings(tmp_path: Path, source: str):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "uuidapp", tmp_path / "uuidapp")
    service = tmp_path / "service.py"
    service.write_text(HEADER + textwrap.dedent(source))
    return service, [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "write-in-loop"
    ]


@pytest.mark.parametrize("key", ["uuid.uuid4()", "new_id()", "uuid.uuid1()"])
def test_a_random_key_makes_merge_an_add(tmp_path, key):
    service, findings = _findings(
        tmp_path,
        f"""
def run(session: Session, names: list[str]):
    for name in names:
        session.merge(Person(id={key}, full_name=name))
""",
    )
    assert [f.applicability.value for f in findings] == ["safe"]
    text = fix_source(service, service.read_text()).text
    assert f"session.add(Person(id={key}, full_name=name))" in text, text


def test_an_awaited_merge_becomes_a_plain_add(tmp_path):
    service, findings = _findings(
        tmp_path,
        """
async def run(session: AsyncSession, names: list[str]):
    for name in names:
        await session.merge(Person(id=uuid.uuid4(), full_name=name))
""",
    )
    assert [f.applicability.value for f in findings] == ["safe"]
    text = fix_source(service, service.read_text()).text
    assert "        session.add(Person(id=uuid.uuid4(), full_name=name))\n" in text, (
        text
    )


def test_a_try_around_the_loop_makes_it_unsafe(tmp_path):
    _, findings = _findings(
        tmp_path,
        """
def run(session: Session, names: list[str]):
    try:
        for name in names:
            session.merge(Person(id=uuid.uuid4(), full_name=name))
    except ValueError:
        pass
""",
    )
    assert [f.applicability.value for f in findings] == ["unsafe"]
    assert "`try` block" in findings[0].fix_note


@pytest.mark.parametrize(
    "merge",
    [
        # not a random key: the row may exist
        "session.merge(Person(id=uuid.UUID(name), full_name=name))",
        # a random key on a column that is not the primary key
        "session.merge(LoginLog(id=day, person_id=uuid.uuid4(), day=day))",
        # built elsewhere: who else holds the object is not shown
        "person = Person(id=uuid.uuid4(), full_name=name)\nsession.merge(person)",
    ],
)
def test_anything_else_is_not_made_an_add(tmp_path, merge):
    service, findings = _findings(
        tmp_path,
        "\ndef run(session: Session, names: list[str], day: int):\n"
        "    for name in names:\n" + textwrap.indent(merge, " " * 8) + "\n",
    )
    text = fix_source(service, service.read_text()).text
    assert "session.add(" not in text, text
    assert all("cannot exist" not in f.message for f in findings)


def test_an_attribute_event_on_the_model_keeps_the_merge(tmp_path):
    """merge copies each attribute onto its new instance through the attribute events:
    a `set` listener on any column runs twice for a merged object, once for an added
    one."""
    service, findings = _findings(
        tmp_path,
        """
from sqlalchemy import event


@event.listens_for(Person.full_name, "set", retval=True)
def tidy(target, value, old, initiator):
    return value.strip()


def run(session: Session, names: list[str]):
    for name in names:
        session.merge(Person(id=uuid.uuid4(), full_name=name))
""",
    )
    text = fix_source(service, service.read_text()).text
    assert "session.add(" not in text, text
    assert all(f.applicability.value != "safe" for f in findings)
