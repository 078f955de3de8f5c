"""The model index, read with `ast`, checked against hand-written facts and against
SQLAlchemy's own mapper for the same temporary package."""

from __future__ import annotations

import ast
import importlib
import pickle
import sys
import textwrap
from pathlib import Path

import pytest

from n1fix.orm.imports import import_map, module_name_for, project_closure
from n1fix.orm.models import ModelIndex, extract_file, extract_models

SHOP = {
    "shop/__init__.py": "",
    "shop/db.py": """
        from datetime import datetime
        from typing import Annotated, Optional

        from sqlalchemy import func
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

        intpk = Annotated[int, mapped_column(primary_key=True)]
        timestamp = Annotated[datetime, mapped_column(nullable=False, server_default=func.now())]
        maybe_text = Optional[str]


        class Base(DeclarativeBase):
            pass


        class TimestampMixin:
            created_at: Mapped[timestamp]
            updated_at: Mapped[Optional[datetime]]
    """,
    "shop/models/__init__.py": """
        from .user import User
        from .render import Archive, Project, Render, RenderChain, Tag

        __all__ = ["Archive", "Project", "Render", "RenderChain", "Tag", "User"]
    """,
    "shop/models/user.py": """
        from __future__ import annotations

        from typing import TYPE_CHECKING, Optional

        from sqlalchemy import ForeignKey, String, UniqueConstraint
        from sqlalchemy.orm import Mapped, mapped_column, relationship

        from ..db import Base, TimestampMixin, intpk, maybe_text

        if TYPE_CHECKING:
            from .render import Render


        class User(TimestampMixin, Base):
            __tablename__ = "users"
            __table_args__ = (UniqueConstraint("handle"), UniqueConstraint("first", "last"))

            id: Mapped[intpk]
            email: Mapped[str] = mapped_column(String(255), unique=True, index=True)
            handle: Mapped[str] = mapped_column(String(40))
            first: Mapped[str]
            last: Mapped[str]
            nickname: Mapped[Optional[str]] = mapped_column("nick", String(50))
            bio: Mapped[maybe_text]
            karma: Mapped["int"] = mapped_column(default=0)
            manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
            renders: Mapped[list["Render"]] = relationship(back_populates="user", lazy="selectin")
            manager: Mapped[Optional["User"]] = relationship(remote_side="User.id", back_populates="reports")
            reports: Mapped[list["User"]] = relationship(back_populates="manager")
    """,
    "shop/models/render.py": """
        from datetime import datetime
        from typing import List, Optional

        import sqlalchemy as sa
        from sqlalchemy import Column, ForeignKey, Index, Integer, Table
        from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

        from shop.db import Base, TimestampMixin
        from shop.models.user import User


        class OwnedMixin:
            @declared_attr
            def owner_id(cls) -> Mapped[Optional[int]]:
                return mapped_column(ForeignKey("users.id"))


        class Project(OwnedMixin, Base):
            __tablename__ = "projects"
            __table_args__ = (Index("ix_projects_slug", "slug", unique=True),)

            id: Mapped[int] = mapped_column(primary_key=True)
            slug: Mapped[str] = mapped_column(sa.String(80))
            renders: Mapped[List["Render"]] = relationship(back_populates="project", order_by="Render.id")


        class RenderChain(Base):
            __tablename__ = "render_chains"

            id = Column(Integer, primary_key=True)
            name = Column("label", sa.String(50), nullable=False, unique=True)
            note = Column(sa.Text)


        render_tags = Table(
            "render_tags",
            Base.metadata,
            Column("render_id", ForeignKey("renders.id"), primary_key=True),
            Column("tag_id", ForeignKey("tags.id"), primary_key=True),
        )


        class Tag(Base):
            __tablename__ = "tags"

            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(unique=True)


        class Render(TimestampMixin, Base):
            __tablename__ = "renders"

            id: Mapped[int] = mapped_column(primary_key=True)
            project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
            user_id: Mapped[int | None] = mapped_column(ForeignKey(User.id))
            chain_id = mapped_column(sa.Integer, ForeignKey("render_chains.id"))
            status: Mapped[str] = mapped_column(sa.String(20), default="queued")
            parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("renders.id"))
            finished_at: Mapped[Optional[datetime]] = mapped_column(nullable=False)

            project: Mapped["Project"] = relationship(back_populates="renders")
            user: Mapped[Optional[User]] = relationship(back_populates="renders")
            chain = relationship("RenderChain", backref="renders")
            parent: Mapped[Optional["Render"]] = relationship(remote_side=[id], back_populates="children")
            children: Mapped[list["Render"]] = relationship(back_populates="parent")
            tags = relationship(lambda: Tag, secondary=render_tags, lazy="dynamic")


        class SoftDeleteBase(Base):
            __abstract__ = True

            deleted_at: Mapped[Optional[datetime]]


        class Archive(SoftDeleteBase):
            __tablename__ = "archives"

            id: Mapped[int] = mapped_column(primary_key=True)
            render_id: Mapped[int] = mapped_column(ForeignKey("renders.id"), unique=True)
            render: Mapped["Render"] = relationship()
    """,
    "shop/legacy.py": """
        from sqlalchemy import Column, ForeignKey, Integer, String
        from sqlalchemy.orm import backref, declarative_base, relationship


        class IdMixin:
            id = Column(Integer, primary_key=True)


        LegacyBase = declarative_base(cls=IdMixin)


        class Account(LegacyBase):
            __tablename__ = "accounts"

            name = Column(String(50), nullable=False)
            parent_id = Column(Integer, ForeignKey("accounts.id"))
            children = relationship("Account", backref=backref("parent", remote_side="Account.id"))


        class Invoice(LegacyBase):
            __tablename__ = "invoices"

            account_id = Column(Integer, ForeignKey("accounts.id"), nullable=False)
            number = Column(String(20), unique=True)
            kind = Column(String(20))
            account = relationship(Account, backref=backref("invoices", lazy="dynamic"))
            __mapper_args__ = {"polymorphic_on": kind, "polymorphic_identity": "invoice"}


        class CreditNote(Invoice):
            reason = Column(String(100))
            __mapper_args__ = {"polymorphic_identity": "credit"}


        class Person(LegacyBase):
            __tablename__ = "people"

            type = Column(String(20), nullable=False)
            name = Column(String(50), unique=True)
            __mapper_args__ = {"polymorphic_on": type, "polymorphic_identity": "person"}


        class Engineer(Person):
            __tablename__ = "engineers"

            id = Column(Integer, ForeignKey("people.id"), primary_key=True)
            language = Column(String(30), nullable=False)
            account_id = Column(Integer, ForeignKey("accounts.id"))
            account = relationship(Account)
            __mapper_args__ = {"polymorphic_identity": "engineer"}
    """,
    "shop/services.py": """
        from shop import models
        from shop.models import Render as R


        def renders_for(session, projects):
            from shop.legacy import Account

            return [session.get(R, p.id) for p in projects]
    """,
}

FLASK = {
    "blog/__init__.py": "",
    "blog/extensions.py": """
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()
    """,
    "blog/models.py": """
        from datetime import datetime

        from .extensions import db


        class TimestampMixin:
            created_at = db.Column(db.DateTime, nullable=False, default=datetime.utcnow)


        class User(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            username = db.Column(db.String(80), unique=True, nullable=False)
            email = db.Column(db.String(120), index=True)
            posts = db.relationship("BlogPost", backref="author", lazy=True)


        class BlogPost(TimestampMixin, db.Model):
            id = db.Column(db.Integer, primary_key=True)
            title = db.Column(db.String(80))
            author_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
            editor_id = db.Column(db.Integer, db.ForeignKey("user.id"))
            editor = db.relationship("User", foreign_keys=[editor_id])
            comments = db.relationship("Comment", backref=db.backref("post", lazy="joined"), lazy="dynamic")


        class Comment(db.Model):
            __tablename__ = "comments"
            id = db.Column(db.Integer, primary_key=True)
            post_id = db.Column(db.Integer, db.ForeignKey("blog_post.id"))
            body = db.Column(db.Text, nullable=False)
    """,
}

SQLMODEL = {
    "heroes/__init__.py": "",
    "heroes/models.py": """
        from typing import Optional

        from sqlmodel import Field, Relationship, SQLModel


        class TeamBase(SQLModel):
            name: str = Field(index=True)
            headquarters: str


        class Team(TeamBase, table=True):
            id: Optional[int] = Field(default=None, primary_key=True)
            heroes: list["Hero"] = Relationship(back_populates="team")


        class Hero(SQLModel, table=True):
            id: int | None = Field(default=None, primary_key=True)
            name: str = Field(unique=True)
            secret_name: str
            age: Optional[int] = Field(default=None, index=True)
            team_id: Optional[int] = Field(default=None, foreign_key="team.id")
            team: Optional[Team] = Relationship(back_populates="heroes")


        class HeroRead(SQLModel):
            id: int
            name: str
    """,
}

MISC = {
    "misc/__init__.py": "",
    "misc/base.py": """
        import sqlalchemy as sa
        from sqlalchemy.orm import as_declarative, declared_attr, registry

        mapper_registry = registry()
        RegBase = mapper_registry.generate_base()


        @as_declarative()
        class AutoBase:
            id = sa.Column(sa.Integer, primary_key=True)

            @declared_attr
            def __tablename__(cls):
                return cls.__name__.lower()
    """,
    "misc/things.py": """
        from typing import Optional

        import sqlalchemy as sa
        from sqlalchemy.orm import Mapped, mapped_column

        from misc.base import AutoBase, RegBase, mapper_registry
        from misc.base import *  # noqa: F403


        class Widget(AutoBase):
            label = sa.Column(sa.String(30), **{"nullable": False})
            size = sa.Column(sa.Integer, nullable=SIZE_NULLABLE)


        class Gadget(RegBase):
            __tablename__ = "gadgets"
            id = sa.Column(sa.Integer, primary_key=True)
            code = sa.Column(sa.String(10))


        @mapper_registry.mapped
        class Gizmo:
            __tablename__ = "gizmos"
            __table_args__ = (sa.PrimaryKeyConstraint("a", "b"),)
            a: Mapped[int]
            b: Mapped[str]
            c: Mapped[Optional[int]]


        class Wrapped(AutoBase):
            __table__ = sa.Table(
                "wrapped", AutoBase.metadata,
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("kind", sa.String(5), nullable=False),
            )


        SIZE_NULLABLE = False
    """,
}


def write_tree(root: Path, files: dict[str, str]) -> list[Path]:
    paths = []
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        paths.append(path)
    return paths


def build(root: Path, files: dict[str, str]) -> ModelIndex:
    return ModelIndex.build(write_tree(root, files), root)


@pytest.fixture
def shop(tmp_path: Path) -> ModelIndex:
    return build(tmp_path, SHOP)


# -- facts of the 2.0-style package --------------------------------------------------------


def test_models_found_and_not_bases_mixins_or_abstract(shop: ModelIndex) -> None:
    assert set(shop.models) == {
        "shop.models.user.User",
        "shop.models.render.Project",
        "shop.models.render.RenderChain",
        "shop.models.render.Tag",
        "shop.models.render.Render",
        "shop.models.render.Archive",
        "shop.legacy.Account",
        "shop.legacy.Invoice",
        "shop.legacy.CreditNote",
        "shop.legacy.Person",
        "shop.legacy.Engineer",
    }
    render = shop.get("shop.models.render.Render")
    assert render is not None
    assert render.name == "Render" and render.module == "shop.models.render"
    assert render.table == "renders"
    assert render.bases == ("shop.db.TimestampMixin", "shop.db.Base")


def test_columns_and_nullability(shop: ModelIndex) -> None:
    render = shop.get("shop.models.render.Render")
    assert render is not None
    assert render.primary_key == ("id",)
    col = render.column
    assert col("project_id").nullable is False and col("project_id").index is True
    assert col("project_id").foreign_key == "projects.id"
    assert col("user_id").nullable is True
    assert col("user_id").foreign_key == "users.id"  # ForeignKey(User.id) resolved
    assert col("chain_id").nullable is True  # mapped_column without annotation
    assert col("chain_id").type == "Integer"
    assert col("parent_id").nullable is True
    assert col("finished_at").nullable is False  # nullable= beats Optional[...]
    assert col("status").type == "String" and col("status").nullable is False
    # from the mixin, through an Annotated column type declared in another module
    assert col("created_at").nullable is False and col("created_at").type == "datetime"
    assert col("updated_at").nullable is True
    assert render.column("nope") is None


def test_annotated_alias_primary_key_and_name_override(shop: ModelIndex) -> None:
    user = shop.get("shop.models.user.User")
    assert user is not None
    assert user.primary_key == ("id",)
    assert user.column("id").primary_key and user.column("id").nullable is False
    assert user.column("nickname").name == "nick"
    assert user.column_by_name("nick").attr == "nickname"
    assert (
        user.column("bio").nullable is True
    )  # Mapped[maybe_text], maybe_text = Optional[str]
    assert user.column("karma").nullable is False and user.column("karma").type == "int"
    assert user.column("first").nullable is False


def test_uniqueness(shop: ModelIndex) -> None:
    user = shop.get("shop.models.user.User")
    project = shop.get("shop.models.render.Project")
    chain = shop.get("shop.models.render.RenderChain")
    archive = shop.get("shop.models.render.Archive")
    assert user and project and chain and archive
    assert user.is_unique("id")
    assert user.is_unique("email") and user.column("email").unique
    assert (
        user.is_unique("handle") and not user.column("handle").unique
    )  # UniqueConstraint
    assert not user.is_unique("first") and user.is_unique_together(["first", "last"])
    assert not user.is_unique("nickname")
    assert project.is_unique("slug")  # Index(..., unique=True)
    assert chain.is_unique("name") and chain.column("name").name == "label"
    assert archive.is_unique("render_id")
    assert not shop.get("shop.models.render.Render").is_unique("project_id")
    assert not user.is_unique("missing")


def test_mixin_declared_attr_and_abstract(shop: ModelIndex) -> None:
    project = shop.get("shop.models.render.Project")
    archive = shop.get("shop.models.render.Archive")
    assert project and archive
    assert project.column("owner_id").foreign_key == "users.id"
    assert project.column("owner_id").nullable is True
    assert archive.column("deleted_at").nullable is True


def test_relationships(shop: ModelIndex) -> None:
    render = shop.get("shop.models.render.Render")
    user = shop.get("shop.models.user.User")
    project = shop.get("shop.models.render.Project")
    assert render and user and project
    rel = render.relationships
    assert rel["project"].target == "shop.models.render.Project"
    assert rel["project"].direction == "many_to_one" and rel["project"].uselist is False
    assert rel["project"].foreign_key_attrs == ("project_id",)
    assert (
        rel["user"].target == "shop.models.user.User"
        and rel["user"].back_populates == "renders"
    )
    assert rel["chain"].target == "shop.models.render.RenderChain"
    assert rel["chain"].back_populates == "renders"
    assert rel["parent"].direction == "many_to_one" and rel["parent"].uselist is False
    assert rel["parent"].foreign_key_attrs == ("parent_id",)
    assert (
        rel["children"].direction == "one_to_many" and rel["children"].uselist is True
    )
    assert rel["tags"].target == "shop.models.render.Tag" and rel["tags"].secondary
    assert rel["tags"].lazy == "dynamic" and rel["tags"].direction == "many_to_many"
    assert rel["project"].lazy == "select"
    assert user.relationships["renders"].lazy == "selectin"
    assert user.relationships["renders"].target == "shop.models.render.Render"
    assert user.relationships["renders"].foreign_key_attrs == ("user_id",)
    assert user.relationships["manager"].direction == "many_to_one"
    assert user.relationships["reports"].direction == "one_to_many"
    assert project.relationships["renders"].uselist is True
    # backref= creates the reverse relationship on the target
    chain = shop.get("shop.models.render.RenderChain")
    assert chain is not None
    back = chain.relationships["renders"]
    assert back.from_backref and back.target == "shop.models.render.Render"
    assert (
        back.direction == "one_to_many"
        and back.uselist is True
        and back.back_populates == "chain"
    )


def test_classic_declarative_base_with_cls_mixin_and_single_table_inheritance(
    shop: ModelIndex,
) -> None:
    account = shop.get("shop.legacy.Account")
    invoice = shop.get("shop.legacy.Invoice")
    credit = shop.get("shop.legacy.CreditNote")
    assert account and invoice and credit
    assert account.primary_key == ("id",)  # from declarative_base(cls=IdMixin)
    assert account.column("name").nullable is False
    assert account.column("parent_id").nullable is True  # classic Column default
    assert invoice.column("number").unique and invoice.column("number").nullable is True
    assert credit.table == "invoices" and credit.inherits == "shop.legacy.Invoice"
    assert set(credit.columns) >= {"id", "account_id", "number", "reason"}
    assert shop.by_table("invoices") is invoice
    children = account.relationships["children"]
    parent = account.relationships["parent"]
    assert children.direction == "one_to_many" and children.uselist is True
    assert (
        parent.from_backref
        and parent.direction == "many_to_one"
        and parent.uselist is False
    )
    engineer = shop.get("shop.legacy.Engineer")
    assert (
        engineer
        and engineer.table == "engineers"
        and engineer.inherits == "shop.legacy.Person"
    )
    # SQLAlchemy maps Engineer.id to people.id first (and engineers.id second)
    assert engineer.column("id").foreign_key is None and engineer.primary_key == ("id",)
    assert engineer.is_unique("name") and engineer.column("name").nullable is True
    assert engineer.relationships["account"].direction == "many_to_one"
    assert shop.by_table("people").name == "Person"
    invoices = account.relationships["invoices"]
    assert invoices.lazy == "dynamic" and invoices.target == "shop.legacy.Invoice"
    assert invoice.relationships["account"].target == "shop.legacy.Account"


def test_resolve_names_as_used_in_a_module(shop: ModelIndex, tmp_path: Path) -> None:
    tree = ast.parse((tmp_path / "shop/services.py").read_text())
    imports = import_map(tree, "shop.services")
    assert (
        shop.resolve("R", imports, "shop.services").qualname
        == "shop.models.render.Render"
    )
    assert (
        shop.resolve("models.User", imports, "shop.services").qualname
        == "shop.models.user.User"
    )
    assert (
        shop.resolve("Account", imports, "shop.services").qualname
        == "shop.legacy.Account"
    )
    assert shop.resolve("Render", imports, "shop.services") is None  # not bound there
    assert (
        shop.resolve("Render", {}, "shop.models.render").qualname
        == "shop.models.render.Render"
    )
    assert shop.get("shop.models.Render") is shop.get(
        "shop.models.render.Render"
    )  # re-export
    assert shop.by_table("render_chains").name == "RenderChain"
    assert shop.by_table("nope") is None


def test_index_and_facts_pickle(shop: ModelIndex, tmp_path: Path) -> None:
    facts = extract_file(tmp_path / "shop/models/render.py", tmp_path)
    assert pickle.loads(pickle.dumps(facts)) == facts
    again = pickle.loads(pickle.dumps(shop))
    assert again.models == shop.models and again.fingerprint() == shop.fingerprint()
    assert again.get("shop.models.Render") is not None


def test_from_facts_is_order_independent(tmp_path: Path) -> None:
    paths = write_tree(tmp_path, SHOP)
    facts = [f for p in paths for f in extract_file(p, tmp_path)]
    forward = ModelIndex.from_facts(facts)
    backward = ModelIndex.from_facts(reversed(facts))
    assert forward.fingerprint() == backward.fingerprint()


def test_closure_of_a_service_file_indexes_its_models(tmp_path: Path) -> None:
    write_tree(tmp_path, SHOP)
    files = project_closure([tmp_path / "shop/services.py"], tmp_path)
    index = ModelIndex.build(files, tmp_path)
    assert "shop.models.render.Render" in index and "shop.legacy.Account" in index
    assert index.get("shop.models.render.Render").column("created_at").nullable is False


# -- other spellings ----------------------------------------------------------------------


def test_flask_sqlalchemy(tmp_path: Path) -> None:
    index = build(tmp_path, FLASK)
    assert set(index.models) == {
        "blog.models.User",
        "blog.models.BlogPost",
        "blog.models.Comment",
    }
    user, post, comment = (
        index.get(f"blog.models.{n}") for n in ("User", "BlogPost", "Comment")
    )
    assert user and post and comment
    assert (
        user.table == "user"
        and post.table == "blog_post"
        and comment.table == "comments"
    )
    assert user.is_unique("username") and user.column("username").nullable is False
    assert user.column("email").index and user.column("email").nullable is True
    assert post.column("created_at").nullable is False  # from the mixin
    assert post.column("author_id").foreign_key == "user.id"
    assert user.relationships["posts"].target == "blog.models.BlogPost"
    assert user.relationships["posts"].lazy == "select"  # lazy=True
    assert user.relationships["posts"].direction == "one_to_many"
    author = post.relationships["author"]
    assert (
        author.from_backref
        and author.direction == "many_to_one"
        and author.uselist is False
    )
    editor = post.relationships["editor"]
    assert (
        editor.foreign_key_attrs == ("editor_id",) and editor.direction == "many_to_one"
    )
    assert post.relationships["comments"].lazy == "dynamic"
    assert comment.relationships["post"].lazy == "joined"
    assert comment.relationships["post"].foreign_key_attrs == ("post_id",)


def test_sqlmodel(tmp_path: Path) -> None:
    index = build(tmp_path, SQLMODEL)
    assert set(index.models) == {"heroes.models.Team", "heroes.models.Hero"}
    hero, team = index.get("heroes.models.Hero"), index.get("heroes.models.Team")
    assert hero and team
    assert hero.table == "hero" and team.table == "team"
    assert hero.primary_key == ("id",) and hero.column("id").nullable is False
    assert hero.is_unique("name") and hero.column("secret_name").nullable is False
    assert hero.column("age").nullable is True and hero.column("age").index
    assert hero.column("team_id").foreign_key == "team.id"
    assert team.column("name").index and team.column("headquarters").nullable is False
    assert hero.relationships["team"].target == "heroes.models.Team"
    assert hero.relationships["team"].direction == "many_to_one"
    assert team.relationships["heroes"].uselist is True


def test_registry_as_declarative_star_imports_and_uncertain_values(
    tmp_path: Path,
) -> None:
    index = build(tmp_path, MISC)
    assert set(index.models) == {
        "misc.things.Widget",
        "misc.things.Gadget",
        "misc.things.Gizmo",
        "misc.things.Wrapped",
    }
    widget = index.get("misc.things.Widget")
    assert widget and widget.table == "widget" and widget.primary_key == ("id",)
    assert widget.column("label").nullable is True  # **kwargs: unknown -> nullable
    assert widget.column("size").nullable is True  # not a literal -> nullable
    gizmo = index.get("misc.things.Gizmo")
    assert gizmo and gizmo.primary_key == ("a", "b") and not gizmo.is_unique("a")
    assert gizmo.is_unique_together(["a", "b"]) and gizmo.column("c").nullable is True
    wrapped = index.get("misc.things.Wrapped")
    assert (
        wrapped
        and wrapped.table == "wrapped"
        and wrapped.column("kind").nullable is False
    )
    assert index.get("misc.things.Gadget").table == "gadgets"
    assert (
        index.resolve("AutoBase", {"*misc.base": "misc.base"}, "x") is None
    )  # a base, no model


def test_class_body_variants(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "lib/__init__.py": """
            from typing import TYPE_CHECKING, Generic, TypeVar

            from sqlalchemy import ForeignKey, String
            from sqlalchemy.orm import Mapped, declared_attr, mapped_column

            ID = TypeVar("ID")


            class UserTable(Generic[ID]):
                __tablename__ = "user"

                if TYPE_CHECKING:
                    id: ID
                    email: str
                else:
                    id: Mapped[int] = mapped_column(primary_key=True)
                    email: "Mapped[str]" = mapped_column(String(320), unique=True)

                    @declared_attr
                    def team_id(cls) -> Mapped["int | None"]:
                        return mapped_column(ForeignKey("team.id"))
        """,
            "app/__init__.py": "",
            "app/models.py": """
            from typing import Optional

            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
            from sqlmodel import Field, Relationship, SQLModel

            from lib import UserTable


            class Base(DeclarativeBase):
                pass


            class User(UserTable[int], Base):
                nickname: Mapped[Optional[str]]
                team = relationship("Team", back_populates="members")


            class Team(Base):
                __tablename__ = "team"
                id: Mapped[int] = mapped_column(primary_key=True)
                members: Mapped[list[User]] = relationship(back_populates="team", viewonly=True)


            class Link(SQLModel, table=True):
                left_id: int = Field(foreign_key="left.id", primary_key=True)
                right_id: int = Field(foreign_key="right.id", primary_key=True)


            class Left(SQLModel, table=True):
                id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
                note: str | None = None
                rights: list["Right"] = Relationship(
                    link_model=Link, sa_relationship_kwargs={"lazy": "selectin"}
                )


            class Right(SQLModel, table=True):
                id: int = Field(primary_key=True)
        """,
        },
    )
    user = index.get("app.models.User")
    assert user is not None and user.table == "user"
    assert user.bases == ("lib.UserTable", "app.models.Base")
    assert user.primary_key == ("id",) and user.is_unique("email")
    assert user.column("email").nullable is False
    assert (
        user.column("team_id").nullable is True
        and user.column("team_id").foreign_key == "team.id"
    )
    assert user.relationships["team"].direction == "many_to_one"
    assert user.relationships["team"].foreign_key_attrs == ("team_id",)
    members = index.get("app.models.Team").relationships["members"]
    assert members.viewonly and members.uselist and members.target == "app.models.User"
    left = index.get("app.models.Left")
    assert (
        left is not None
        and left.column("id").primary_key
        and left.column("note").nullable
    )
    rights = left.relationships["rights"]
    assert (
        rights.secondary
        and rights.lazy == "selectin"
        and rights.target == "app.models.Right"
    )
    assert index.get("app.models.Link").primary_key == ("left_id", "right_id")


def test_flask_bases_are_spelled_through_the_db_object(tmp_path: Path) -> None:
    index = build(tmp_path, FLASK)
    assert index.get("blog.models.BlogPost").bases == (
        "blog.models.TimestampMixin",
        "blog.extensions.db.Model",
    )


def test_extract_models_on_a_syntax_subset_is_cheap_and_plain(tmp_path: Path) -> None:
    tree = ast.parse("x = 1\ndef f():\n    import os\n")
    facts = extract_models(tree, "m")
    assert all(type(f).__name__ == "ModuleFacts" for f in facts)
    assert ModelIndex.from_facts(facts).models == {}


# -- cross-check with SQLAlchemy itself -----------------------------------------------------


DIRECTIONS = {
    "MANYTOONE": "many_to_one",
    "ONETOMANY": "one_to_many",
    "MANYTOMANY": "many_to_many",
}


@pytest.fixture
def imported_shop(tmp_path: Path):
    sa = pytest.importorskip("sqlalchemy")
    write_tree(tmp_path, SHOP)
    sys.path.insert(0, str(tmp_path))
    try:
        modules = {
            name: importlib.import_module(name)
            for name in (
                "shop.db",
                "shop.models",
                "shop.models.user",
                "shop.models.render",
                "shop.legacy",
            )
        }
        sa.orm.configure_mappers()
        yield ModelIndex.build(sorted(tmp_path.rglob("*.py")), tmp_path), modules
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == "shop" or m.startswith("shop.")]:
            del sys.modules[name]


def assert_agrees_with_mapper(model, cls) -> int:
    """Every column and relationship fact of `model` against SQLAlchemy's mapper of `cls`."""
    from sqlalchemy import inspect

    qualname = model.qualname
    mapper = inspect(cls)
    assert mapper.local_table.name == model.table, qualname
    assert set(mapper.columns.keys()) == set(model.columns), qualname
    checked = 0
    for attr, info in model.columns.items():
        column = mapper.columns[attr]
        assert column.name == info.name, (qualname, attr)
        assert column.nullable == info.nullable, (qualname, attr)
        assert column.primary_key == info.primary_key, (qualname, attr)
        assert bool(column.unique) == info.unique, (qualname, attr)
        assert bool(column.index) == info.index, (qualname, attr)
        targets = {fk.target_fullname for fk in column.foreign_keys}
        assert targets == ({info.foreign_key} if info.foreign_key else set()), (
            qualname,
            attr,
        )
        checked += 1
    assert {mapper.get_property_by_column(c).key for c in mapper.primary_key} == set(
        model.primary_key
    )
    assert set(mapper.relationships.keys()) == set(model.relationships), qualname
    for attr, rel in model.relationships.items():
        prop = mapper.relationships[attr]
        assert prop.mapper.class_.__qualname__ == rel.target.rsplit(".", 1)[1], (
            qualname,
            attr,
        )
        assert DIRECTIONS[prop.direction.name] == rel.direction, (qualname, attr)
        assert prop.uselist == rel.uselist, (qualname, attr)
        assert prop.lazy == rel.lazy, (qualname, attr)
        assert (prop.secondary is not None) == rel.secondary, (qualname, attr)
        if rel.direction == "many_to_one":
            local = {
                mapper.get_property_by_column(c).key for c, _ in prop.local_remote_pairs
            }
            assert local == set(rel.foreign_key_attrs), (qualname, attr)
        elif rel.direction == "one_to_many":
            remote = {
                prop.mapper.get_property_by_column(r).key
                for _, r in prop.local_remote_pairs
            }
            assert remote == set(rel.foreign_key_attrs), (qualname, attr)
        checked += 1
    return checked


def test_index_agrees_with_sqlalchemy_mapper(imported_shop) -> None:
    index, modules = imported_shop
    checked = 0
    for qualname, model in index.models.items():
        module, _, name = qualname.rpartition(".")
        checked += assert_agrees_with_mapper(model, getattr(modules[module], name))
    assert checked >= 60


def test_uniqueness_agrees_with_the_tables_constraints(imported_shop) -> None:
    from sqlalchemy import Index, UniqueConstraint, inspect

    index, modules = imported_shop
    for qualname, model in index.models.items():
        module, _, name = qualname.rpartition(".")
        mapper = inspect(getattr(modules[module], name))
        table = mapper.local_table
        unique_names: set[tuple[str, ...]] = {
            tuple(c.name for c in table.primary_key.columns)
        }
        unique_names |= {(c.name,) for c in table.columns if c.unique}
        unique_names |= {
            tuple(c.name for c in k.columns)
            for k in table.constraints
            if isinstance(k, UniqueConstraint)
        }
        unique_names |= {
            tuple(c.name for c in i.columns)
            for i in table.indexes
            if isinstance(i, Index) and i.unique
        }
        for attr, column in model.columns.items():
            if mapper.columns[attr].table is not table:
                continue
            assert model.is_unique(attr) == ((column.name,) in unique_names), (
                qualname,
                attr,
            )


# -- the project's own golden apps ----------------------------------------------------------

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


@pytest.mark.skipif(not (GOLDEN / "query_in_loop").is_dir(), reason="no golden corpus")
def test_golden_apps_indexed_from_the_cases_that_use_them() -> None:
    """Scanning only the golden `before.py` files still indexes the apps they import
    (`from renderapp.models import ...` resolves through the case's ancestors), and the
    index agrees with SQLAlchemy's mapper of the same classes."""
    root = GOLDEN.parent
    cases = sorted(GOLDEN.glob("query_in_loop/*/before.py"))
    index = ModelIndex.build(project_closure(cases, root), root)
    apps = {m.module.split(".")[1] for m in index.models.values()}
    assert "renderapp" in apps
    resolved = 0
    for case in cases:
        module = module_name_for(case, root)
        imports = import_map(ast.parse(case.read_text(encoding="utf-8")), module)
        for local, qualified in imports.items():
            is_module = (GOLDEN / (qualified.replace(".", "/") + ".py")).exists()
            if qualified.split(".")[0] in apps and not is_module:
                model = index.resolve(local, imports, module)
                assert (
                    model is not None and model.name == qualified.rsplit(".", 1)[1]
                ), (case, local)
                resolved += 1
    assert resolved >= 10

    added = str(GOLDEN) not in sys.path
    if added:
        sys.path.insert(0, str(GOLDEN))
    try:
        checked = 0
        for model in index.models.values():
            python_module = importlib.import_module(
                model.module.removeprefix("golden.")
            )
            checked += assert_agrees_with_mapper(
                model, getattr(python_module, model.name)
            )
        assert checked >= 50
    finally:
        if added:
            sys.path.remove(str(GOLDEN))


QUERY_CLASSES = {
    "app/__init__.py": "",
    "app/queries.py": """
        from flask_sqlalchemy.query import Query


        class ScopedQuery(Query):
            def first(self):
                return super().first()


        class OwnedQuery(ScopedQuery):
            def mine(self):
                return self
    """,
    "app/models.py": """
        from flask_sqlalchemy import SQLAlchemy
        from flask_sqlalchemy.query import Query

        from app.queries import OwnedQuery

        db = SQLAlchemy()


        class Person(db.Model):
            class PersonQuery(Query):
                def get(self, id, project=None):
                    return self.filter(Person.id == id).one_or_none()

            query_class = PersonQuery
            id = db.Column(db.Integer, primary_key=True)


        class OwnedMixin:
            query_class = OwnedQuery


        class Bill(OwnedMixin, db.Model):
            id = db.Column(db.Integer, primary_key=True)


        class Tag(db.Model):
            query_class = Query
            id = db.Column(db.Integer, primary_key=True)


        class Plain(db.Model):
            id = db.Column(db.Integer, primary_key=True)
    """,
}


def test_query_class_and_the_methods_it_defines(tmp_path: Path) -> None:
    """`Model.query` of a model with a custom `query_class` means what the project wrote:
    the index records the class and every method it and its project bases define."""
    index = build(tmp_path, QUERY_CLASSES)
    person = index.get("app.models.Person")
    assert person.query_class == "app.models.Person.PersonQuery"
    assert person.query_overrides == frozenset({"get"})
    bill = index.get(
        "app.models.Bill"
    )  # through a mixin, and a project base of the class
    assert bill.query_class == "app.queries.OwnedQuery"
    assert bill.query_overrides == frozenset({"mine", "first"})
    tag = index.get("app.models.Tag")  # the library's own Query: nothing overridden
    assert tag.query_overrides == frozenset()
    assert index.get("app.models.Plain").query_class is None


def test_methods_that_commit_or_write_through_a_mixin(tmp_path: Path) -> None:
    """flaskbb's `CRUDMixin.save()` commits: the models that mix it in commit in `save`,
    and in `create`, which calls it."""
    index = build(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": """
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()


            class CRUDMixin:
                @classmethod
                def create(cls, **kwargs):
                    return cls(**kwargs).save()

                def save(self):
                    db.session.add(self)
                    db.session.commit()
                    return self

                def stage(self):
                    db.session.add(self)

                def label(self):
                    return str(self.id)


            class Group(CRUDMixin, db.Model):
                id = db.Column(db.Integer, primary_key=True)

                def save(self):
                    db.session.add(self)
                    db.session.flush()
                    return self
        """,
        },
    )
    group = index.get("app.models.Group")
    assert group.writing_method("save") == ("flushes", "Group")  # its own save wins
    assert group.writing_method("create") == ("flushes", "CRUDMixin")
    assert group.writing_method("stage") == ("writes", "CRUDMixin")
    assert group.writing_method("label") is None


def test_query_classes_sessions_are_built_with(tmp_path: Path) -> None:
    """`sessionmaker(query_cls=X)` / `SQLAlchemy(query_class=X)`: `session.query(...)`
    returns an X; the index keeps what X defines (nothing for the library's own)."""
    index = build(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/db.py": """
            from flask_sqlalchemy import SQLAlchemy
            from sqlalchemy.orm import Query, scoped_session, sessionmaker


            class SoftDeleteQuery(Query):
                def __iter__(self):
                    return super().__iter__()


            Session = scoped_session(sessionmaker(query_cls=SoftDeleteQuery))
            db = SQLAlchemy(query_class=Query)
        """,
        },
    )
    assert index.session_query_classes == {
        "app.db.SoftDeleteQuery": frozenset({"__iter__"})
    }
    assert (
        pickle.loads(pickle.dumps(index)).session_query_classes
        == index.session_query_classes
    )


def test_fingerprint_does_not_depend_on_string_hashing(tmp_path: Path) -> None:
    """The results cache is keyed by the index's fingerprint: a model whose query class
    defines several methods (a set) must hash the same in every process, whatever
    PYTHONHASHSEED is, or a warm run misses the cache at random."""
    import os
    import subprocess

    write_tree(tmp_path, QUERY_CLASSES)
    script = (
        "import sys; from pathlib import Path; from n1fix.orm.models import ModelIndex; "
        "root = Path(sys.argv[1]); "
        "print(ModelIndex.build(sorted(root.rglob('*.py')), root).fingerprint())"
    )
    prints = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        prints.add(run.stdout.strip())
    assert len(prints) == 1


def test_partial_unique_index_validators_and_collation(tmp_path: Path) -> None:
    index = build(
        tmp_path,
        {
            "soft/__init__.py": "",
            "soft/models.py": """
                from sqlalchemy import Column, Index, Integer, String, text
                from sqlalchemy.orm import declarative_base, validates

                Base = declarative_base()


                class Keyed:
                    @validates("code", "label")
                    def _strip(self, key, value):
                        return value.strip()


                class Soft(Base, Keyed):
                    __tablename__ = "soft"
                    id = Column(Integer, primary_key=True)
                    code = Column(String(20, collation="NOCASE"), nullable=False)
                    slug = Column(String(20), nullable=False)
                    name = Column(String(20), nullable=False)
                    __table_args__ = (
                        Index(
                            "ix_soft_code",
                            "code",
                            unique=True,
                            postgresql_where=text("deleted_at IS NULL"),
                        ),
                        Index("ix_soft_slug", "slug", unique=True),
                        Index("ix_soft_name", "name", unique=True, sqlite_where=text("1")),
                    )
            """,
        },
    )
    soft = index.get("soft.models.Soft")
    assert soft is not None
    # Unique only among the rows the condition keeps: not unique over the table.
    assert not soft.is_unique("code") and not soft.is_unique("name")
    assert soft.is_unique("slug")
    assert soft.validated == ("code", "label")  # from the mixin
    code, slug = soft.column("code"), soft.column("slug")
    assert code.collation == "NOCASE" and slug.collation is None
    assert (code.type, code.type_args) == ("String", "20, collation='NOCASE'")
    assert (slug.type, slug.type_args) == ("String", "20")


def test_backref_options_and_on_delete_actions(tmp_path: Path) -> None:
    """A backref's cascade and passive_deletes belong to the reverse collection; a
    foreign key's ondelete is read from ForeignKey, ForeignKeyConstraint and SQLModel's
    Field."""
    index = build(
        tmp_path,
        {
            "kin/__init__.py": "",
            "kin/models.py": """
                from sqlalchemy import Column, ForeignKey, ForeignKeyConstraint, Integer
                from sqlalchemy.orm import backref, declarative_base, relationship

                Base = declarative_base()


                class Parent(Base):
                    __tablename__ = "parent"
                    id = Column(Integer, primary_key=True)


                class Child(Base):
                    __tablename__ = "child"
                    __table_args__ = (
                        ForeignKeyConstraint(["other_id"], ["parent.id"], ondelete="SET NULL"),
                    )
                    id = Column(Integer, primary_key=True)
                    parent_id = Column(Integer, ForeignKey("parent.id", ondelete="cascade"))
                    other_id = Column(Integer)
                    plain_id = Column(Integer, ForeignKey("parent.id"))
                    parent = relationship(
                        Parent,
                        foreign_keys=[parent_id],
                        backref=backref(
                            "children", cascade="all, delete-orphan", passive_deletes=True
                        ),
                    )
                    other = relationship(Parent, foreign_keys=[other_id], backref="others")
            """,
            "kin/heroes.py": """
                from sqlmodel import Field, SQLModel


                class Team(SQLModel, table=True):
                    id: int | None = Field(default=None, primary_key=True)


                class Hero(SQLModel, table=True):
                    id: int | None = Field(default=None, primary_key=True)
                    team_id: int | None = Field(foreign_key="team.id", ondelete="CASCADE")
            """,
        },
    )
    parent, child = index.get("kin.models.Parent"), index.get("kin.models.Child")
    children = parent.relationships["children"]
    assert children.from_backref
    assert children.cascade == "all, delete-orphan" and children.passive_deletes is True
    others = parent.relationships["others"]
    assert others.cascade is None and others.passive_deletes is False
    assert child.column("parent_id").ondelete == "CASCADE"
    assert child.column("other_id").ondelete == "SET NULL"
    assert child.column("plain_id").ondelete is None
    assert index.get("kin.heroes.Hero").column("team_id").ondelete == "CASCADE"
