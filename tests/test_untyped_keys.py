"""Keys from untyped sources against a column that is not a string: no fix at all.

The database converts `'42'` to 42 in `Model.id == '42'`; the batch's dict lookup does not,
so a batch keyed by strings (csv rows, request arguments, os.environ) or by values of no
declared type (JSON, `dict`, `Any`) misses every row of an int, UUID or date column.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from collation_gaps import COLLATION_ONLY, label

from n1fix.engine.api import scan_source

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

SERVICE = """
    import csv
    import json
    import os
    from typing import Any

    from flask import request
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from renderapp.models import Project, Render, User


    def run(session: Session, handle, payload: dict, options: dict[str, Any], names: list[str], ids: list[int], raw):
        {body}
"""

NO_FIX = [
    # csv rows: every cell is a string
    (
        "return [session.get(User, row['user_id']) for row in csv.DictReader(handle)]",
        "strings (read from `csv.DictReader` rows)",
    ),
    (
        "rows = list(csv.DictReader(handle))\n    return [session.get(User, row['user_id']) for row in rows]",
        "strings",
    ),
    # request arguments and forms
    (
        "return [session.get(User, user_id) for user_id in request.args.getlist('user')]",
        "strings (read from `request.args`)",
    ),
    (
        "return [session.get(User, user_id) for user_id in request.form['users'].split(',')]",
        "strings (read from `request.form`)",
    ),
    # the environment
    (
        "return [session.get(User, user_id) for user_id in os.environ['ADMINS'].split(',')]",
        "strings (read from `os.environ`)",
    ),
    # JSON and dicts of no declared value type
    (
        "return [session.get(User, user_id) for user_id in json.loads(raw)['ids']]",
        "of no declared type (read from `json.loads()`",
    ),
    (
        "return [session.get(User, user_id) for user_id in request.get_json()['ids']]",
        "of no declared type (read from `request.get_json()`",
    ),
    (
        "return [session.get(User, user_id) for user_id in payload['ids']]",
        "of no declared type (read from `payload: dict`",
    ),
    (
        "return [session.get(User, user_id) for user_id in options['ids']]",
        "of no declared type (read from `options: dict[str, Any]`",
    ),
    (
        "return [session.scalars(select(Render).where(Render.project_id == entry['project'])).all() for entry in json.loads(raw)]",
        "`Render.project_id` is int",
    ),
    # the keys of a mapping declared `dict[str, ...]`, or of a JSON object, are strings
    (
        "return [session.get(User, user_id) for user_id, _ in options.items()]",
        "strings (read from the keys of `options: dict[str, Any]`)",
    ),
    (
        "return [session.get(User, user_id) for user_id, _ in json.loads(raw).items()]",
        "strings (read from `json.loads()`)",
    ),
]


@pytest.fixture
def service(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")

    def write(body: str) -> Path:
        path = tmp_path / "service.py"
        path.write_text(textwrap.dedent(SERVICE).format(body=body))
        return path

    return write


@pytest.mark.parametrize("body,reason", NO_FIX)
def test_untyped_keys_against_an_int_column_get_no_fix(service, body, reason):
    path = service(body)
    findings = scan_source(path, path.read_text())
    assert [f.applicability.value for f in findings] == ["none"], [
        f.message for f in findings
    ]
    assert reason in findings[0].message
    assert "the batch's dict lookup would miss every row" in findings[0].message


@pytest.mark.parametrize(
    "body,applicability",
    [
        # a string column: strings match it
        (
            "return [session.scalars(select(User).where(User.email == row['email'])).first() for row in csv.DictReader(handle)]",
            "unsafe",
        ),
        (
            "return [session.scalars(select(User).where(User.email == name)).first() for name in names]",
            COLLATION_ONLY,
        ),
        # converted by Werkzeug's `type=`
        (
            "return [session.get(User, user_id) for user_id in request.args.getlist('user', type=int)]",
            "unsafe",
        ),
        # declared int: typed
        ("return [session.get(User, user_id) for user_id in ids]", "safe"),
        # the keys of a mapping declared `dict[int, ...]` are ints, whatever its values
        (
            "by_id: dict[int, str] = dict.fromkeys(ids, '')\n    out = []\n    for user_id, _ in by_id.items():\n        out.append(session.get(User, user_id))\n    return out",
            "safe",
        ),
        # unannotated: unknown, not known untyped (unsafe, as before)
        ("return [session.get(User, user_id) for user_id in raw]", "unsafe"),
    ],
)
def test_typed_or_unknown_keys_keep_their_fix(service, body, applicability):
    path = service(body)
    findings = scan_source(path, path.read_text())
    assert [label(f) for f in findings] == [applicability], [
        f.message for f in findings
    ]


UUID_MODELS = """
from uuid import UUID

from sqlalchemy import ForeignKey, Uuid
from sqlalchemy_utils import UUIDType
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Person(Base):
    __tablename__ = "persons"
    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)


class LoginLog(Base):
    __tablename__ = "login_logs"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[UUID] = mapped_column({uuid_type}, ForeignKey("persons.id"))
"""

UUID_SERVICE = """
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from uuidapp.models import LoginLog, Person


def serialized_people(session):
    return [{{"id": str(person.id)}} for person in session.scalars(select(Person))]


def logs(session: Session, people, person_ids, known_people: list[Person]):
    {body}
"""


@pytest.mark.parametrize(
    "body,applicability",
    [
        # zou: rows serialised to dicts keep their ids as strings; a parameter of unknown
        # type: the batch compares the keys as text (`str()` both sides), unsafe
        (
            "return [session.scalars(select(LoginLog).where(LoginLog.person_id == person['id'])).all() for person in serialized_people(session)]",
            "unsafe",
        ),
        (
            "return [session.scalars(select(LoginLog).where(LoginLog.person_id == person_id)).all() for person_id in person_ids]",
            "unsafe",
        ),
        # a COUNT's batch is keyed by the UUIDs the database returns: no text comparison
        (
            "return [session.scalar(select(func.count()).select_from(LoginLog).where(LoginLog.person_id == person_id)) for person_id in person_ids]",
            "none",
        ),
        # an attribute of a loaded row is a UUID object: the usual fix
        (
            "return [session.scalars(select(LoginLog).where(LoginLog.person_id == person.id)).all() for person in known_people]",
            "safe",
        ),
    ],
)
@pytest.mark.parametrize("uuid_type", ["Uuid", "UUIDType(binary=False)"])
def test_keys_of_unshown_type_against_a_uuid_column_compare_as_text(
    tmp_path, body, applicability, uuid_type
):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "uuidapp").mkdir()
    (tmp_path / "uuidapp" / "__init__.py").write_text("")
    (tmp_path / "uuidapp" / "models.py").write_text(
        UUID_MODELS.format(uuid_type=uuid_type)
    )
    path = tmp_path / "service.py"
    path.write_text(UUID_SERVICE.format(body=body))
    findings = scan_source(path, path.read_text())
    assert [f.applicability.value for f in findings] == [applicability], [
        f.message for f in findings
    ]
    if applicability == "none":
        assert (
            "is a UUID and nothing shows the keys are UUID objects"
            in findings[0].message
        )
    if applicability == "unsafe":
        message = findings[0].message
        assert "the batch compares both as text" in message, message
        assert "the key's type is unknown" not in message, message
