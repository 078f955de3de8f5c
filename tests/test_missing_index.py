"""The index advisor: what the code declares as indexed, what its queries use, and the
`missing-index` findings that join the two (n1fix/rules/missing_index/)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from n1fix.config import Config
from n1fix.engine.runner import run
from n1fix.sql.schema import declared_indexes
from n1fix.rules.missing_index.findings import project_review
from n1fix.rules.missing_index.sql_uses import sql_uses
from n1fix.rules.missing_index.uses import query_uses


def declared(source: str) -> dict:
    text = textwrap.dedent(source)
    return declared_indexes(ast.parse(text), text)


def uses(source: str) -> list[tuple]:
    found = query_uses(ast.parse(textwrap.dedent(source)))
    return [
        (u.get("ref") or u.get("table"), u["attr"], u["kind"], u["loop"]) for u in found
    ]


# -- what is indexed


def test_table_args_indexes_and_constraints():
    facts = declared(
        """
        class Render(Base):
            __tablename__ = "renders"
            __table_args__ = (
                Index("ix_a", "project_id", "status"),
                UniqueConstraint("user_id", "slug"),
                sa.Index("ix_b", created_at.desc()),
            )
        """
    )
    assert [(i["class"], i["columns"]) for i in facts["indexes"]] == [
        ("Render", ["project_id", "status"]),
        ("Render", ["user_id", "slug"]),
        ("Render", ["created_at"]),
    ]


def test_index_beside_the_model_names_it_by_its_columns():
    facts = declared('Index("ix_renders_project", Render.project_id, Render.status)\n')
    assert facts["indexes"] == [
        {"ref": "Render", "columns": ["project_id", "status"], "line": 1}
    ]


def test_core_table_columns_and_indexes():
    facts = declared(
        """
        renders = Table(
            "renders", metadata,
            Column("id", Integer, primary_key=True),
            Column("project_id", ForeignKey("projects.id"), index=True),
            Column("user_id", ForeignKey("users.id")),
            Index("ix_user", "user_id", "id"),
        )
        """
    )
    assert [(i["table"], i["columns"]) for i in facts["indexes"]] == [
        ("renders", ["id"]),
        ("renders", ["project_id"]),
        ("renders", ["user_id", "id"]),
    ]


def test_alembic_migration_indexes_and_revision():
    facts = declared(
        """
        revision = "b2"
        down_revision = "a1"

        def upgrade():
            op.create_table(
                "renders",
                sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("project_id", sa.Integer()),
                sa.UniqueConstraint("project_id", "id"),
            )
            op.create_index("ix_r_user", "renders", ["user_id"])
            op.create_index(op.f("ix_x"), table_name="chains", columns=["render_id"])
            op.create_unique_constraint("uq", "projects", ["slug"])
            with op.batch_alter_table("gallery") as batch_op:
                batch_op.create_index("ix_g", ["render_id"], unique=False)
            op.execute("CREATE INDEX CONCURRENTLY ix_c ON credits (user_id, created_at)")
        """
    )
    assert sorted((i["table"], tuple(i["columns"])) for i in facts["indexes"]) == [
        ("chains", ("render_id",)),
        ("credits", ("user_id", "created_at")),
        ("gallery", ("render_id",)),
        ("projects", ("slug",)),
        ("renders", ("id",)),
        ("renders", ("project_id", "id")),
        ("renders", ("user_id",)),
    ]
    assert facts["migration"] == {"revision": "b2", "down": ["a1"]}
    assert facts["tables"] == ["chains", "gallery", "projects", "renders"]


def test_merge_and_first_migrations():
    assert declared('revision = "m"\ndown_revision = ("a", "b")\n')["migration"] == {
        "revision": "m",
        "down": ["a", "b"],
    }
    assert declared('revision = "a"\ndown_revision = None\n')["migration"] == {
        "revision": "a",
        "down": [],
    }


def test_django_meta_indexes_and_together():
    facts = declared(
        """
        class Render(models.Model):
            class Meta:
                indexes = [models.Index(fields=["project", "-created"])]
                unique_together = ("user", "slug")
                index_together = [["status", "created"]]
                constraints = [models.UniqueConstraint(fields=["chain", "position"], name="u")]
        """
    )
    assert [i["columns"] for i in facts["indexes"]] == [
        ["project", "created"],
        ["user", "slug"],
        ["status", "created"],
        ["chain", "position"],
    ]


# -- what queries use


def test_orm_filters_joins_orders_and_loops():
    found = uses(
        """
        def f(session, projects, ids):
            session.query(Render).filter(Render.user_id == 1).order_by(Render.created_at.desc())
            for p in projects:
                select(Render).where(Render.project_id == p.id, Render.created_at > p.t)
            session.query(Render).filter(Render.chain_id.in_(ids), Render.deleted_at.is_(None))
            session.query(Render).join(Project, Project.id == Render.project_id)
            session.query(Render).filter_by(status="done")
            [Render.query.filter_by(project_id=i).all() for i in ids]
            session.query(Project).options(selectinload(Project.renders))
        """
    )
    assert found == [
        ("Render", "created_at", "order", False),
        ("Render", "user_id", "eq", False),
        ("Render", "project_id", "eq", True),
        ("Render", "created_at", "range", True),
        ("Render", "chain_id", "eq", False),
        ("Render", "deleted_at", "null", False),
        ("Project", "id", "join", False),
        ("Render", "project_id", "join", False),
        ("Render", "status", "eq", False),
        ("Render", "project_id", "eq", True),
        ("Project", "renders", "join", False),
    ]


def test_a_relationships_join_condition_is_no_lookup():
    assert (
        uses(
            """
        class Entity(Base):
            links = relationship(
                "Entity",
                secondary=Link.__table__,
                primaryjoin=(id == Link.entity_in_id),
                secondaryjoin=lambda: Entity.id == Link.entity_out_id,
            )
            total = column_property(select(func.count()).where(Link.entity_in_id == id))
        """
        )
        == []
    )


def test_django_lookups():
    found = uses(
        """
        Render.objects.filter(project=p, created__gte=t, chain__isnull=True).order_by("-created")
        Render.objects.filter(project__owner__name="x")
        """
    )
    assert found == [
        ("Render", "created", "order", False),
        ("Render", "project", "eq", False),
        ("Render", "created", "range", False),
        ("Render", "chain", "null", False),
    ]


def test_raw_sql_columns_get_their_table_through_aliases():
    assert sql_uses(
        "SELECT r.id FROM renders r JOIN projects p ON p.id = r.project_id "
        "WHERE r.status = :s ORDER BY r.created_at DESC"
    ) == [
        {"table": "projects", "attr": "id", "kind": "join"},
        {"table": "renders", "attr": "project_id", "kind": "join"},
        {"table": "renders", "attr": "status", "kind": "eq"},
        {"table": "renders", "attr": "created_at", "kind": "order", "desc": True},
    ]
    assert sql_uses("SELECT id FROM renders WHERE project_id = $1") == [
        {"table": "renders", "attr": "project_id", "kind": "eq"}
    ]
    assert sql_uses("this is not ( sql") == []


def test_raw_sql_in_a_call_is_read():
    found = uses(
        """
        for p in projects:
            session.execute(text("SELECT id FROM renders WHERE project_id = :p"), {"p": p.id})
        """
    )
    assert found == [("renders", "project_id", "eq", True)]


# -- the review and the findings

MODELS = """\
from sqlalchemy import Column, ForeignKey, Index, Integer, String, DateTime, Boolean
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Project(Base):
    __tablename__ = "projects"
    id = Column(Integer, primary_key=True)
    renders = relationship("Render", back_populates="project")


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)


class Render(Base):
    __tablename__ = "renders"
    id = Column(Integer, primary_key=True)
    project_id = Column(ForeignKey("projects.id"))
    user_id = Column(
        ForeignKey("users.id"),
        nullable=False,
    )
    chain_id = Column(ForeignKey("users.id"))
    owner_id = Column(
        Integer, ForeignKey("users.id", ondelete="CASCADE")
    )
    status = Column(String)
    deleted_at = Column(DateTime)
    created_at = Column(DateTime)
    project = relationship("Project", back_populates="renders")
    __table_args__ = (Index("ix_renders_chain_status", "chain_id", "status"),)
"""


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # paths are shown relative to the working directory


def scan(tmp_path: Path, files: dict[str, str], **config):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    result = run(
        [tmp_path],
        tmp_path,
        Config(select=["missing-index"], cache=False, **config),
        jobs=1,
    )
    return result


def test_foreign_key_filtered_without_index_is_found_on_its_column(tmp_path):
    result = scan(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/queries.py": """
                from app.models import Render

                def renders(session, projects):
                    for project in projects:
                        yield session.query(Render).filter(Render.project_id == project.id).all()

                def chain(session, chain_id):
                    return session.query(Render).filter(Render.chain_id == chain_id).all()
            """,
        },
    )
    assert [(f.path, f.line) for f in result.findings] == [("app/models.py", 21)]
    finding = result.findings[0]
    assert finding.applicability.value == "unsafe"
    assert "1 query looks rows up by it (1 in a loop)" in finding.message
    assert finding.message.endswith(
        "CREATE INDEX ix_renders_project_id ON renders(project_id);"
    )


def test_composite_and_partial_when_every_query_shares_the_rest(tmp_path):
    result = scan(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/queries.py": """
                from sqlalchemy import select
                from app.models import Render

                def recent(session, user_id, since):
                    return session.scalars(
                        select(Render)
                        .where(Render.user_id == user_id, Render.deleted_at.is_(None))
                        .where(Render.created_at > since)
                        .order_by(Render.created_at.desc())
                    ).all()

                def done(session, owner_id):
                    return session.scalars(
                        select(Render).where(Render.owner_id == owner_id, Render.status == "done").order_by(Render.id)
                    ).all()
            """,
        },
    )
    advice = {a.attr: a for a in project_review(result.project).advice}
    assert advice["user_id"].statement == (
        "CREATE INDEX ix_renders_user_id_created_at ON renders(user_id, created_at DESC) "
        "WHERE deleted_at IS NULL;"
    )
    assert advice["owner_id"].statement == (
        "CREATE INDEX ix_renders_owner_id_status_id ON renders(owner_id, status, id);"
    )
    # no model change for these: the Index(...) is the user's to write
    assert all(not f.fixable for f in result.findings)


def test_a_query_served_by_a_composite_key_on_another_column_is_no_lookup(tmp_path):
    models = """\
        from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()

        class Preference(Base):
            __tablename__ = "preferences"
            __table_args__ = (UniqueConstraint("kind", "sport_id"),)
            user_id = Column(ForeignKey("users.id"), primary_key=True)
            sport_id = Column(ForeignKey("sports.id"), primary_key=True)
            kind = Column(Integer)
    """
    result = scan(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": models,
            "app/queries.py": """
                from app.models import Preference

                def f(session, user, sport, kind):
                    # (user_id, sport_id), the primary key, serves this one
                    session.query(Preference).filter_by(sport_id=sport, user_id=user)
                    # and the unique (kind, sport_id) this one
                    session.query(Preference).filter_by(sport_id=sport, kind=kind)
            """,
        },
    )
    assert result.findings == []
    assert project_review(result.project).advice == []


def test_a_key_column_with_its_own_index_is_indexed(tmp_path):
    models = """\
        from sqlalchemy import Column, ForeignKey, Integer
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()

        class FieldValue(Base):
            __tablename__ = "field_values"
            field_id = Column(Integer, primary_key=True)
            abstract_id = Column(
                ForeignKey("abstracts.id"), index=True, nullable=False, primary_key=True
            )
    """
    result = scan(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": models,
            "app/queries.py": """
                from app.models import FieldValue

                def f(session, abstract):
                    session.query(FieldValue).filter(FieldValue.abstract_id == abstract)
            """,
        },
    )
    assert project_review(result.project).advice == []


def test_a_later_column_of_a_composite_foreign_key_is_not_advised(tmp_path):
    models = """\
        from sqlalchemy import Column, ForeignKeyConstraint, Integer, PrimaryKeyConstraint, String
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()

        class Version(Base):
            __tablename__ = "versions"
            __table_args__ = (
                PrimaryKeyConstraint("workspace", "name", "version"),
                ForeignKeyConstraint(["workspace", "name"], ["skills.workspace", "skills.name"]),
            )
            workspace = Column(String(10))
            name = Column(String(10))
            version = Column(Integer)
    """
    result = scan(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": models,
            "app/queries.py": """
                from app.models import Version

                def f(session, name):
                    session.query(Version).filter(Version.name == name)
            """,
        },
    )
    assert project_review(result.project).advice == []


def test_a_join_by_the_parents_key_is_no_lookup(tmp_path):
    result = scan(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/queries.py": """
                from sqlalchemy import select
                from app.models import Project, Render

                def f(session, x):
                    session.execute(
                        select(Render, Project)
                        .join(Project, Project.id == Render.project_id)
                        .where(Render.id == x)
                    )
                    session.query(Render).join(Render.project)  # many-to-one
            """,
        },
    )
    assert result.findings == []


def test_no_finding_when_an_index_leads_with_the_key(tmp_path):
    result = scan(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/queries.py": """
                from app.models import Render

                def f(session, x):
                    session.query(Render).filter(Render.chain_id == x)  # ix_renders_chain_status
                    session.query(Render).filter(Render.status == x)  # not a foreign key
                    session.query(Render).filter(Render.project_id > x)  # a range alone
            """,
        },
    )
    assert result.findings == []


def test_migration_index_counts_and_the_migration_follows_the_one_head(tmp_path):
    files = {
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/queries.py": """
            from app.models import Render, Project
            from sqlalchemy.orm import selectinload

            def f(session, x):
                session.query(Render).filter(Render.user_id == x)
                session.query(Project).options(selectinload(Project.renders))
        """,
        "migrations/env.py": "from alembic import context\n",
        "migrations/versions/a1_init.py": """
            revision = "a1"
            down_revision = None

            def upgrade():
                op.create_table("renders", sa.Column("id", sa.Integer(), primary_key=True))
                op.create_index("ix_renders_user_id", "renders", ["user_id"])
        """,
        "migrations/versions/b2_more.py": """
            revision = "b2"
            down_revision = "a1"
        """,
    }
    result = scan(tmp_path, files)
    review = project_review(result.project)
    assert [a.attr for a in review.advice] == ["project_id"]  # user_id: the migration's
    project_id = review.advice[0]
    assert [s.kind for s in project_id.sites] == ["collection"]  # the selectinload
    migration = project_id.migration
    assert migration.down_revision == "b2"
    assert migration.folder == "migrations/versions"
    assert "with op.get_context().autocommit_block():" in migration.text
    assert "postgresql_concurrently=True" in migration.text
    compile(migration.text, "migration.py", "exec")
    assert "revising b2" in result.findings[0].fix_note
    assert f"the fix adds migrations/versions/{migration.filename}" in (
        result.findings[0].fix_note
    )


def test_no_migration_when_the_head_is_ambiguous(tmp_path):
    result = scan(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/queries.py": """
                from app.models import Render

                def f(session, x):
                    session.query(Render).filter(Render.project_id == x)
            """,
            "migrations/env.py": "from alembic import context\n",
            "migrations/versions/a1.py": 'revision = "a1"\ndown_revision = None\n',
            "migrations/versions/b1.py": 'revision = "b1"\ndown_revision = "a1"\n',
            "migrations/versions/b2.py": 'revision = "b2"\ndown_revision = "a1"\n',
        },
    )
    advice = project_review(result.project).advice[0]
    assert advice.migration is None
    assert advice.no_migration == "the migrations in migrations/versions have 2 heads"


def test_django_foreign_keys_are_indexed_by_django(tmp_path):
    result = scan(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/models.py": """
                from django.db import models

                class Author(models.Model):
                    name = models.CharField(max_length=10)

                class Book(models.Model):
                    author = models.ForeignKey(Author, on_delete=models.CASCADE)
            """,
            "shop/views.py": """
                from shop.models import Book

                def f(author):
                    return Book.objects.filter(author=author)
            """,
        },
    )
    assert result.findings == []
    review = project_review(result.project)
    assert (("author_id",), "FOREIGN KEY (Django indexes it)") in review.indexed[
        "shop_book"
    ]


def test_fix_adds_index_true_to_the_column(tmp_path):
    result = scan(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/queries.py": """
                from app.models import Render

                def f(session, x):
                    session.query(Render).filter(Render.project_id == x)

                def g(session, x):
                    session.query(Render).filter(Render.user_id == x)

                def h(session, x):
                    session.query(Render).filter(Render.owner_id == x)
            """,
        },
        unsafe_fixes=True,
    )
    assert result.findings
    fixed = run(
        [tmp_path],
        tmp_path,
        Config(select=["missing-index"], cache=False, unsafe_fixes=True),
        jobs=1,
        fix=True,
    )
    (change,) = fixed.changes
    assert (
        '    project_id = Column(ForeignKey("projects.id"), index=True)\n'
        in change.new_text
    )
    assert (
        '    user_id = Column(\n        ForeignKey("users.id"),\n'
        "        nullable=False,\n        index=True,\n    )\n"
    ) in change.new_text
    assert (
        "    owner_id = Column(\n"
        '        Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True\n'
        "    )\n"
    ) in change.new_text


def test_a_project_helper_that_creates_an_index_counts(tmp_path):
    # superset's migrations call their own `create_index(table, name, columns)` (the
    # table first, unlike `op.create_index`): the index exists, no advice (a wrong
    # verdict on superset's logs.user_id and task_subscribers.user_id)
    files = {
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/queries.py": """
            from app.models import Render

            def f(session, x):
                session.query(Render).filter(Render.user_id == x)
                session.query(Render).filter(Render.project_id == x)
        """,
        "app/migrations/shared/utils.py": """
            from alembic import op

            def create_index(table_name, index_name, columns, unique=False):
                op.create_index(op.f(index_name), table_name, columns, unique=unique)
        """,
        "app/migrations/versions/a1_logs.py": """
            from app.migrations.shared.utils import create_index

            revision = "a1"
            down_revision = None
            RENDERS = "renders"

            def upgrade():
                create_index(RENDERS, "ix_renders_user_id_dttm", ["user_id", "dttm"])
                create_index("ix_renders_project", "renders", columns=["project_id"])
        """,
    }
    result = scan(tmp_path, files)
    assert result.findings == []


@pytest.mark.parametrize(
    "condition",
    [
        "or_(Render.project_id == x, Render.owner_id == x)",
        "(Render.project_id == x) | (Render.owner_id == x)",
    ],
)
def test_an_or_of_two_foreign_keys_is_two_single_column_indexes(tmp_path, condition):
    # a B-tree on (project_id, owner_id) does not serve `owner_id = x`: each side of
    # the OR needs an index that leads with its column (a BitmapOr of the two)
    result = scan(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/queries.py": f"""
                from sqlalchemy import or_
                from app.models import Render

                def f(session, x):
                    return session.query(Render).filter({condition}).all()
            """,
        },
    )
    statements = sorted(a.statement for a in project_review(result.project).advice)
    assert statements == [
        "CREATE INDEX ix_renders_owner_id ON renders(owner_id);",
        "CREATE INDEX ix_renders_project_id ON renders(project_id);",
    ]


def test_an_indexed_column_on_the_other_side_of_an_or_serves_no_lookup(tmp_path):
    result = scan(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/queries.py": """
                from sqlalchemy import and_, or_
                from app.models import Render

                def f(session, x, s):
                    # chain_id leads ix_renders_chain_status: it serves its own side only
                    session.query(Render).filter(
                        or_(Render.chain_id == x, and_(Render.user_id == x, Render.status == s))
                    )

                def g(session, x):
                    # both sides indexed (chain_id, id): nothing to add
                    session.query(Render).filter(or_(Render.chain_id == x, Render.id == x))
            """,
        },
    )
    (advice,) = project_review(result.project).advice
    assert advice.statement == (
        "CREATE INDEX ix_renders_user_id_status ON renders(user_id, status);"
    )


def test_no_partial_index_when_a_relationship_loads_by_the_key(tmp_path):
    # fittrackee: follow requests looked up by `followed_user_id` with `updated_at IS
    # NULL` in one query, but User.received_follow_requests (and the followers read
    # through it) loads them by the key with no such condition: a partial index would
    # serve the one query and none of those loads
    models = MODELS.replace(
        "id = Column(Integer, primary_key=True)\n\n\nclass Render",
        "id = Column(Integer, primary_key=True)\n"
        '    renders = relationship("Render", primaryjoin="User.id == Render.user_id", '
        'lazy="dynamic")\n\n\nclass Render',
    )
    assert models != MODELS
    result = scan(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": models,
            "app/queries.py": """
                from app.models import Render

                def pending(session, user_id):
                    return session.query(Render).filter_by(user_id=user_id, deleted_at=None).all()
            """,
        },
    )
    (advice,) = project_review(result.project).advice
    assert advice.statement == "CREATE INDEX ix_renders_user_id ON renders(user_id);"
