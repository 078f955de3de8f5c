"""write-in-loop, `session.delete(row)` per row of a query: the collections each delete
loads go into the query as a `selectinload` (delete_loads.py), when the loop only
deletes and one collection is loaded; else the finding stays without a fix."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from n1fix.engine.api import fix_source, scan_source

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def _findings(tmp_path: Path, source: str):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "purgeapp", tmp_path / "purgeapp")
    service = tmp_path / "service.py"
    service.write_text(textwrap.dedent(source))
    return service, [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "write-in-loop"
    ]


HEADER = """\
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from purgeapp.models import Album, Folder
"""


def test_a_cascaded_collection_is_loaded_with_the_rows(tmp_path):
    service, findings = _findings(
        tmp_path,
        HEADER
        + """
def purge(session: Session):
    for album in session.query(Album).filter(Album.archived).all():
        session.delete(album)
""",
    )
    assert [f.applicability.value for f in findings] == ["safe"]
    assert "fix: `selectinload(Album.photos)`" in findings[0].message
    text = fix_source(service, service.read_text()).text
    assert (
        "session.query(Album)\n        .options(selectinload(Album.photos))" in text
    ), text


def test_an_unlinked_collection_is_an_unsafe_fix(tmp_path):
    _, findings = _findings(
        tmp_path,
        HEADER
        + """
def drop(session: Session, names: list[str]):
    for folder in session.scalars(select(Folder).where(Folder.name.in_(names))):
        session.delete(folder)
""",
    )
    assert [f.applicability.value for f in findings] == ["unsafe"]
    assert "when the flush sent the DELETEs (to unlink them)" in findings[0].fix_note


def test_rows_returned_by_a_helper_get_the_option_there_unsafely(tmp_path):
    _, findings = _findings(
        tmp_path,
        HEADER
        + """
def archived(session: Session):
    return session.scalars(select(Album).where(Album.archived)).all()


def purge(session: Session):
    albums: list[Album] = archived(session)
    for album in albums:
        session.delete(album)
""",
    )
    assert [f.applicability.value for f in findings] == ["unsafe"]
    assert "goes into `archived()`" in findings[0].fix_note


@pytest.mark.parametrize(
    "body",
    [
        # something else per item: no fix
        "    log.append(album.id)\n    session.delete(album)\n",
        # a flush per item: the loaded collections gain nothing over per-row loads
        "    session.delete(album)\n    session.flush()\n",
    ],
)
def test_a_loop_that_does_more_gets_no_fix(tmp_path, body):
    _, findings = _findings(
        tmp_path,
        HEADER
        + "\n\ndef purge(session: Session, log: list):\n"
        + "  for album in session.scalars(select(Album)).all():\n"
        + textwrap.indent(body, "  "),
    )
    assert [f.applicability.value for f in findings] == ["none"]
    assert "selectinload(Album.photos)" in findings[0].message


@pytest.mark.parametrize(
    "option", ["selectinload(Album.photos)", "joinedload(Album.photos)"]
)
def test_a_collection_the_query_loads_is_not_reported(tmp_path, option):
    _, findings = _findings(
        tmp_path,
        HEADER
        + f"""
def purge(session: Session):
    rows = session.scalars(select(Album).options({option})).unique().all()
    for album in rows:
        session.delete(album)
""",
    )
    assert findings == [], [f.message for f in findings]


def test_rows_from_elsewhere_get_no_fix(tmp_path):
    _, findings = _findings(
        tmp_path,
        HEADER
        + """
def purge(session: Session, albums: list[Album]):
    for album in albums:
        session.delete(album)
""",
    )
    assert [f.applicability.value for f in findings] == ["none"]


def test_options_past_the_line_length_go_one_a_line(tmp_path):
    service, findings = _findings(
        tmp_path,
        """\
from sqlalchemy.orm import Session

from purgeapp.models import Board


class Boards:
    def drop(self, session: Session, names: list[str], lock, really: bool):
        with lock:
            if really:
                if names:
                    boards = session.query(Board).filter(Board.name.in_(names))
                    for board in boards:
                        session.delete(board)
""",
    )
    assert [f.applicability.value for f in findings] == ["unsafe"]
    text = fix_source(service, service.read_text(), unsafe_fixes=True).text
    expected = """\
                    boards = (
                        session.query(Board)
                        .options(
                            selectinload(Board.pins),
                            selectinload(Board.followers),
                        )
                        .filter(Board.name.in_(names))
                    )
"""
    assert expected in text, text


LINKAPP = '''\
from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Role(Base):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    grants: Mapped[list[Grant]] = relationship(
        foreign_keys="Grant.role_id", cascade="all, delete-orphan"
    )


class Grant(Base):
    """A grant of a role, given by another role: two foreign keys to roles."""

    __tablename__ = "grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"))
'''


def test_a_cascaded_collection_whose_rows_hang_off_two_rows_is_unsafe(tmp_path):
    (tmp_path / "linkapp").mkdir()
    (tmp_path / "linkapp" / "__init__.py").write_text("")
    (tmp_path / "linkapp" / "models.py").write_text(LINKAPP)
    _, findings = _findings(
        tmp_path,
        """\
from sqlalchemy import select
from sqlalchemy.orm import Session

from linkapp.models import Role


def drop(session: Session, ids: list[int]):
    for role in session.scalars(select(Role).where(Role.id.in_(ids))):
        session.delete(role)
""",
    )
    assert [f.applicability.value for f in findings] == ["unsafe"]
    assert "2 foreign keys to `roles`" in findings[0].fix_note


ACTIONS = """\
from sqlalchemy import Column, ForeignKey, ForeignKeyConstraint, Integer
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Tag(Base):
    __tablename__ = "tag"
    id = Column(Integer, primary_key=True)
    nulled = relationship("Nulled", cascade="all, delete-orphan")
    constrained = relationship("Constrained", cascade="all, delete-orphan")
    restricted = relationship("Restricted", cascade="all, delete-orphan")


class Owner(Base):
    __tablename__ = "owner"
    id = Column(Integer, primary_key=True)


class Nulled(Base):
    __tablename__ = "nulled"
    id = Column(Integer, primary_key=True)
    tag_id = Column(ForeignKey("tag.id"))
    owner_id = Column(ForeignKey("owner.id", ondelete="set null"))


class Constrained(Base):
    __tablename__ = "constrained"
    __table_args__ = (
        ForeignKeyConstraint(["owner_id"], ["owner.id"], ondelete="CASCADE"),
    )
    id = Column(Integer, primary_key=True)
    tag_id = Column(ForeignKey("tag.id"))
    owner_id = Column(Integer)


class Restricted(Base):
    __tablename__ = "restricted"
    id = Column(Integer, primary_key=True)
    tag_id = Column(ForeignKey("tag.id", ondelete="CASCADE"))
    owner_id = Column(ForeignKey("owner.id", ondelete="RESTRICT"))
"""


@pytest.mark.parametrize(
    ("collection", "safe"),
    [("nulled", False), ("constrained", False), ("restricted", True)],
)
def test_an_on_delete_action_on_another_foreign_key_makes_it_unsafe(
    tmp_path, collection, safe
):
    """A database action on the rows' other foreign key (ForeignKey or a table's
    ForeignKeyConstraint) may change them between two deletes; RESTRICT changes none,
    nor does the link's own CASCADE (it acts on rows of rows already deleted)."""
    (tmp_path / "actionapp").mkdir()
    (tmp_path / "actionapp" / "__init__.py").write_text("")
    kept = "".join(
        line
        for line in ACTIONS.splitlines(keepends=True)
        if "= relationship(" not in line or line.startswith(f"    {collection} =")
    )
    (tmp_path / "actionapp" / "models.py").write_text(kept)
    _, findings = _findings(
        tmp_path,
        """\
from sqlalchemy.orm import Session

from actionapp.models import Tag


def drop(session: Session, ids: list[int]):
    for tag in session.query(Tag).filter(Tag.id.in_(ids)):
        session.delete(tag)
""",
    )
    assert [f.applicability.value for f in findings] == ["safe" if safe else "unsafe"]
    if not safe:
        assert "is a foreign key with `ON DELETE" in findings[0].fix_note


def _purge(tmp_path, body: str):
    return _findings(
        tmp_path,
        HEADER + "\n\ndef purge(session: Session, log, ids: list[int]):\n" + body,
    )


@pytest.mark.parametrize(
    "between",
    [
        "    log.info('deleting %d albums', len(albums))\n",
        "    if not albums:\n        raise LookupError(ids)\n",
        "    count = len(albums)\n",
        "    first, *rest = albums\n",
    ],
)
def test_reads_and_logging_between_the_rows_and_the_loop_keep_it_safe(
    tmp_path, between
):
    _, findings = _purge(
        tmp_path,
        "    albums = session.query(Album).filter(Album.id.in_(ids)).all()\n"
        + between
        + "    for album in albums:\n        session.delete(album)\n",
    )
    assert [f.applicability.value for f in findings] == ["safe"]


def test_a_loop_under_an_if_after_the_rows_is_still_safe(tmp_path):
    _, findings = _purge(
        tmp_path,
        "    albums = session.scalars(select(Album).where(Album.id.in_(ids))).all()\n"
        "    if albums:\n"
        "        for album in albums:\n"
        "            session.delete(album)\n",
    )
    assert [f.applicability.value for f in findings] == ["safe"]


@pytest.mark.parametrize(
    ("between", "said"),
    [
        ("    albums[0].title = 'x'\n", "an assignment to `albums[0].title`"),
        ("    archive(albums)\n", "`archive(albums)` runs between"),
        ("    session.flush()\n", "`session.flush()` runs between"),
        ("    if ids:\n        session.add(Album(title='x'))\n", "`session.add("),
    ],
)
def test_anything_else_between_the_rows_and_the_loop_is_unsafe(tmp_path, between, said):
    _, findings = _purge(
        tmp_path,
        "    albums = session.query(Album).filter(Album.id.in_(ids)).all()\n"
        + between
        + "    for album in albums:\n        session.delete(album)\n",
    )
    assert [f.applicability.value for f in findings] == ["unsafe"]
    assert said in findings[0].fix_note


def test_rows_bound_in_another_block_are_unsafe(tmp_path):
    _, findings = _purge(
        tmp_path,
        "    with session.begin():\n"
        "        albums = session.query(Album).filter(Album.id.in_(ids)).all()\n"
        "    for album in albums:\n"
        "        session.delete(album)\n",
    )
    assert [f.applicability.value for f in findings] == ["unsafe"]
    assert "cannot tell what runs between" in findings[0].fix_note


@pytest.mark.parametrize(
    "expiry", ["session.rollback()", "session.expire_all()", "db.session.commit()"]
)
def test_an_expiry_between_the_rows_and_the_loop_gets_no_fix(tmp_path, expiry):
    _, findings = _purge(
        tmp_path,
        "    albums = session.query(Album).filter(Album.id.in_(ids)).all()\n"
        f"    {expiry}\n"
        "    for album in albums:\n        session.delete(album)\n",
    )
    assert [(f.applicability.value, f.plan) for f in findings] == [("none", None)]
    assert "expires what `selectinload(Album.photos)` would load" in findings[0].message


def test_a_query_bound_to_a_name_runs_at_the_loop_after_what_is_between(tmp_path):
    """A 1.x Query is run when the loop iterates it: a write or a commit before is
    autoflushed or done before the option loads anything."""
    _, findings = _purge(
        tmp_path,
        "    albums = session.query(Album).filter(Album.id.in_(ids))\n"
        "    session.add(Album(title='x'))\n"
        "    session.commit()\n"
        "    for album in albums:\n        session.delete(album)\n",
    )
    assert [f.applicability.value for f in findings] == ["safe"]
