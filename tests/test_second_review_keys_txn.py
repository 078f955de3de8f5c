"""Second review of the proofs merged from sa-keys and sa-txn: counter-examples.

Each test is a loop n1fix batches today although the proof behind the fix does not
hold for it. They are strict xfails: each one fails until the proof refuses its loop
(or, for an unsafe fix, names the unproven fact), and then the marker must go.

- dict items changed through another name (an alias, a container that stored the
  item): `item_keys.changed_inside` looks for the loop target's own name only;
- a later item changed through the iterable when the loop runs over `entries or []`
  or `holder.entries`: only a plain name's items are checked;
- a `match` capture rebinding the key name after its `=` (`path_bindings.bound_once`
  does not count `case ... as name`);
- items annotated `Mapping`: `Mapping.get` runs the class's own `__getitem__`;
- a Session-level `after_bulk_delete` listener: the batched DELETE fires it once
  where the loop fired it once per key (only listeners on the model are looked for).
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from n1fix_project import n1fix

from n1fix.engine.api import scan_source

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

HEADER = """
    from typing import Mapping, Optional

    from sqlalchemy.orm import Session

    from keyapp.models import Tagging
"""

SECOND_REVIEW = "second review (audit-keys-txn): "


def _scan(tmp_path, code: str):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "keyapp", tmp_path / "keyapp")
    service = tmp_path / "service.py"
    service.write_text(textwrap.dedent(HEADER) + textwrap.dedent(code))
    (finding,) = scan_source(service, service.read_text())
    return finding


ALIAS = """
def taggings(session: Session, entries: list[dict[str, int]]):
    found = []
    for entry in entries:
        alias = entry
        alias["id"] = alias["id"] + 1
        found.append(session.get(Tagging, entry.get("id")))
    return found
"""

STORED = """
def taggings(session: Session, entries: list[dict[str, int]]):
    seen = []
    found = []
    for entry in entries:
        seen.append(entry)
        seen[-1]["id"] = 7
        found.append(session.get(Tagging, entry.get("id")))
    return found
"""

MATCH_REBINDS = """
def taggings(session: Session, entries: list[dict[str, int]]):
    found = []
    for entry in entries:
        if entry.get("kind") == 1:
            tagging_id = entry.get("id")
            match entry.get("other"):
                case int() as tagging_id:
                    pass
            found.append(session.get(Tagging, tagging_id))
    return found
"""


@pytest.mark.parametrize("code", [ALIAS, STORED, MATCH_REBINDS])
def test_a_key_changed_before_the_query_by_another_name_gets_no_fix(tmp_path, code):
    finding = _scan(tmp_path, code)
    assert finding.applicability.value == "none", finding.message


LATER_ITEM = """
def taggings(session: Session, {params}):
    found = []
    for entry in {iterable}:
        found.append(session.get(Tagging, entry.get("id")))
        {iterable_name}[-1]["id"] = 7
    return found
"""


@pytest.mark.parametrize(
    "params, iterable, iterable_name",
    [
        ("entries: Optional[list[dict[str, int]]]", "entries or []", "entries"),
        ("holder", "holder.entries", "holder.entries"),
    ],
)
def test_a_later_item_changed_through_its_list_gets_no_fix(
    tmp_path, params, iterable, iterable_name
):
    code = LATER_ITEM.format(
        params=params, iterable=iterable, iterable_name=iterable_name
    )
    finding = _scan(tmp_path, code)
    assert finding.applicability.value == "none", finding.message


MAPPING_ITEMS = """
def taggings(session: Session, entries: list[Mapping[str, int]]):
    found = []
    for entry in entries:
        found.append(session.get(Tagging, entry.get("id")))
    return found
"""


def test_items_annotated_mapping_are_not_shown_to_be_dicts(tmp_path):
    finding = _scan(tmp_path, MAPPING_ITEMS)
    assert finding.applicability.value != "safe", finding.message


SESSION_LISTENED = {
    "pyproject.toml": "[project]\nname = 'app'\nversion = '0'\n",
    "app/__init__.py": "",
    "app/models.py": """
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


        class Base(DeclarativeBase):
            pass


        class Grant(Base):
            __tablename__ = "grants"
            id: Mapped[int] = mapped_column(primary_key=True)
            resource_id: Mapped[str]
    """,
    "app/hooks.py": """
        from sqlalchemy import event
        from sqlalchemy.orm import Session

        audit = []


        @event.listens_for(Session, "after_bulk_delete")
        def record(delete_context):
            audit.append(delete_context.result.rowcount)
    """,
    "app/service.py": """
        from sqlalchemy import delete
        from sqlalchemy.orm import Session

        from app.models import Grant


        def revoke(session: Session, resource_ids: list[str]) -> None:
            for resource_id in resource_ids:
                session.execute(delete(Grant).filter_by(resource_id=resource_id))
    """,
}


WHERE_FORM = "delete(Grant).where(Grant.resource_id == resource_id)"
SESSIONMAKER_HOOKS = """
    from sqlalchemy import event
    from sqlalchemy.orm import sessionmaker

    SessionLocal = sessionmaker()
    seen = []


    @event.listens_for(SessionLocal, "do_orm_execute")
    def record(state):
        seen.append(state.statement)
"""


@pytest.mark.parametrize(
    "statement, hooks",
    [
        (None, None),
        (WHERE_FORM, None),
        (None, SESSIONMAKER_HOOKS),
        (WHERE_FORM, SESSIONMAKER_HOOKS),
    ],
)
def test_a_session_level_bulk_listener_keeps_the_delete_from_a_safe_fix(
    tmp_path, statement, hooks
):
    files = dict(SESSION_LISTENED)
    if statement:
        files["app/service.py"] = files["app/service.py"].replace(
            "delete(Grant).filter_by(resource_id=resource_id)", statement
        )
    if hooks:
        files["app/hooks.py"] = hooks
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    run = n1fix("scan", "app/service.py", "--no-cache", cwd=tmp_path)
    assert "write-in-loop" in run.out, run.out
    assert "[*]" not in run.out, run.out


NULLABLE_HELPER = {
    "pyproject.toml": "[project]\nname = 'app'\nversion = '0'\n",
    "app/__init__.py": "",
    "app/models.py": """
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


        class Base(DeclarativeBase):
            pass


        class Render(Base):
            __tablename__ = "renders"
            id: Mapped[int] = mapped_column(primary_key=True)
            chain_id: Mapped[int | None]
            status: Mapped[str]
    """,
    "app/service.py": """
        from sqlalchemy import update
        from sqlalchemy.orm import Session

        from app.models import Render


        class Renders:
            def archive_chain(self, session: Session, chain_id: int | None) -> int:
                result = session.execute(
                    update(Render).filter_by(chain_id=chain_id).values(status="archived")
                )
                session.commit()
                return result.rowcount


        renders = Renders()


        def archive(session: Session, chain_ids: list[int | None]) -> None:
            # None stands for the renders in no chain
            for chain_id in chain_ids:
                renders.archive_chain(session, chain_id)
    """,
}


def test_a_committing_helper_keyed_by_a_declared_none_gets_no_batch_method(tmp_path):
    for name, text in NULLABLE_HELPER.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    run = n1fix("scan", "app/service.py", "--no-cache", cwd=tmp_path)
    assert "query-in-loop" in run.out, run.out
    assert "unsafe fix" not in run.out and "[*]" not in run.out, run.out


APPENDED = """
class Row:
    def get(self, key, default=None):
        return 1


def taggings(session: Session, ids: list[int]):
    entries = [{"id": i} for i in ids]
    entries.append(Row())
    found = []
    for entry in entries:
        found.append(session.get(Tagging, entry.get("id")))
    return found
"""


def test_a_list_of_dicts_that_grows_other_items_is_not_shown_to_hold_dicts(tmp_path):
    finding = _scan(tmp_path, APPENDED)
    assert (
        finding.applicability.value == "none" or "taken to be a dict" in finding.message
    ), finding.message
