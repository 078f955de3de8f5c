"""Counter-examples to the delete-loads and merge-to-add proofs, found in their second
review: each was a fix n1fix offered that changes what the program does; the rule no
longer offers it (or labels it as the proof allows)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from n1fix.engine.api import scan_source


def _findings(tmp_path: Path, models: str, service: str):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(textwrap.dedent(models))
    path = package / "service.py"
    path.write_text(textwrap.dedent(service))
    return [f for f in scan_source(path, path.read_text()) if f.rule == "write-in-loop"]


PASSIVE_BACKREF = """\
from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import backref, declarative_base, relationship

Base = declarative_base()


class Parent(Base):
    __tablename__ = "parent"
    id = Column(Integer, primary_key=True)


class Child(Base):
    __tablename__ = "child"
    id = Column(Integer, primary_key=True)
    parent_id = Column(Integer, ForeignKey("parent.id", ondelete="CASCADE"))
    parent = relationship(Parent, backref=backref("children", passive_deletes=True))
"""


def test_a_passive_deletes_backref_gets_no_selectinload(tmp_path):
    """With `backref(..., passive_deletes=True)` the delete never loads Parent.children
    (the database cascades); a fix loading it would make the ORM set each loaded child's
    parent_id to NULL: the children would survive the delete."""
    findings = _findings(
        tmp_path,
        PASSIVE_BACKREF,
        """\
        from app.models import Parent


        def purge(session, ids):
            for parent in session.query(Parent).filter(Parent.id.in_(ids)):
                session.delete(parent)
        """,
    )
    assert [f.applicability.value for f in findings if f.plan is not None] == []


CASCADE_THROUGH_ANOTHER_TABLE = """\
from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Tag(Base):
    __tablename__ = "tag"
    id = Column(Integer, primary_key=True)
    objects = relationship("Obj", cascade="all, delete-orphan")
    subs = relationship("Sub", cascade="all, delete-orphan")


class Obj(Base):
    __tablename__ = "obj"
    id = Column(Integer, primary_key=True)
    tag_id = Column(ForeignKey("tag.id"))


class Sub(Base):
    __tablename__ = "sub"
    id = Column(Integer, primary_key=True)
    tag_id = Column(ForeignKey("tag.id"))
    obj_id = Column(ForeignKey("obj.id", ondelete="CASCADE"))
"""


def test_a_database_cascade_through_another_table_is_not_safe(tmp_path):
    """Sub has one foreign key to tag, but an ON DELETE CASCADE from obj: tag 1's deletes,
    autoflushed before tag 2's subs load, remove tag 2's sub through tag 1's obj; loaded
    up front, the sub is deleted again (0 rows matched: a warning, a StaleDataError with
    a version_id_col, its before_delete event fired for a row that is gone)."""
    findings = _findings(
        tmp_path,
        CASCADE_THROUGH_ANOTHER_TABLE,
        """\
        from app.models import Tag


        def purge(session, ids):
            for tag in session.query(Tag).filter(Tag.id.in_(ids)):
                session.delete(tag)
        """,
    )
    assert [f.applicability.value for f in findings] != ["safe"]


VALIDATED_BODY = """\
from sqlalchemy import Column, String
from sqlalchemy.orm import declarative_base, validates

Base = declarative_base()


class Note(Base):
    __tablename__ = "note"
    id = Column(String(32), primary_key=True)
    body = Column(String)

    @validates("body")
    def tag(self, key, value):
        return "[x]" + value
"""


def test_a_validator_on_another_column_keeps_the_merge(tmp_path):
    """`merge()` copies each attribute onto a new instance through the attribute events, so a
    @validates of any column (not only the key) runs twice: the merged row stored
    '[x][x]a', session.add() stores '[x]a'."""
    findings = _findings(
        tmp_path,
        VALIDATED_BODY,
        """\
        import uuid

        from app.models import Note


        def save(session, bodies):
            for body in bodies:
                session.merge(Note(id=uuid.uuid4().hex, body=body))
        """,
    )
    assert [f.applicability.value for f in findings] != ["safe"]


ONE_CASCADE = """\
from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Tag(Base):
    __tablename__ = "tag"
    id = Column(Integer, primary_key=True)
    objects = relationship("Obj", cascade="all, delete-orphan")


class Obj(Base):
    __tablename__ = "obj"
    id = Column(Integer, primary_key=True)
    tag_id = Column(ForeignKey("tag.id"), nullable=False)
"""


def test_a_write_between_the_rows_and_the_loop_is_not_safe(tmp_path):
    """The rows are loaded (.all()) before a write that adds a child by its foreign key
    column: each delete() autoflushed it and loaded it with the collection, so it was
    deleted with its tag; loaded up front, it is missed and the flush raises
    IntegrityError (tag deleted under a child)."""
    findings = _findings(
        tmp_path,
        ONE_CASCADE,
        """\
        from app.models import Obj, Tag


        def purge(session, ids):
            tags = session.query(Tag).filter(Tag.id.in_(ids)).all()
            session.add(Obj(tag_id=tags[0].id))
            for tag in tags:
                session.delete(tag)
        """,
    )
    assert [f.applicability.value for f in findings] != ["safe"]


def test_a_commit_between_the_rows_and_the_loop_gets_no_fix(tmp_path):
    """A commit between the rows' query and the loop expires the collections the fix loads
    (expire_on_commit): each delete() loads its own again, the selectinload only adds
    SELECTs."""
    findings = _findings(
        tmp_path,
        ONE_CASCADE,
        """\
        from app.models import Tag


        def purge(session, ids):
            tags = session.query(Tag).filter(Tag.id.in_(ids)).all()
            session.commit()
            for tag in tags:
                session.delete(tag)
        """,
    )
    assert [f.plan for f in findings if f.plan is not None] == []


CASCADE_THROUGH_THE_ORM = CASCADE_THROUGH_ANOTHER_TABLE.replace(
    'obj_id = Column(ForeignKey("obj.id", ondelete="CASCADE"))',
    'obj_id = Column(ForeignKey("obj.id"))',
).replace(
    '    tag_id = Column(ForeignKey("tag.id"))\n\n\nclass Sub',
    '    tag_id = Column(ForeignKey("tag.id"))\n'
    '    subs = relationship("Sub", cascade="all, delete-orphan")\n\n\nclass Sub',
)


def test_an_orm_cascade_through_another_table_is_not_safe(tmp_path):
    """Found with the holes above: Tag.objects -> Obj.subs cascades tag 1's delete to
    tag 2's sub; an autoflush in the loop (tag 2's obj's subs, lazily loaded by its
    cascade) sends that DELETE before tag 2's subs would load; loaded up front, they
    still hold it and tag 2's delete deletes it again (0 rows matched)."""
    assert 'subs = relationship("Sub"' in CASCADE_THROUGH_THE_ORM.split("class Sub")[0]
    findings = _findings(
        tmp_path,
        CASCADE_THROUGH_THE_ORM,
        """\
        from app.models import Tag


        def purge(session, ids):
            for tag in session.query(Tag).filter(Tag.id.in_(ids)):
                session.delete(tag)
        """,
    )
    assert [f.applicability.value for f in findings] == ["unsafe"]
    assert "`Obj.subs` also cascades the delete to `Sub` rows" in findings[0].fix_note
