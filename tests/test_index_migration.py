"""The Alembic migration `apply` writes with a `missing-index` fix
(n1fix/rules/missing_index/migration.py, n1fix/codemods/missing_index/migration_file.py):
written beside the model change, chained after the project's one head, run for real
with Alembic on SQLite and PostgreSQL (upgrade and downgrade), and a second run changes
nothing."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from n1fix_project import n1fix

alembic = pytest.importorskip("alembic")
from alembic import command  # noqa: E402
from alembic.config import Config as AlembicConfig  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402

MODELS = """
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Project(Base):
    __tablename__ = "projects"
    id = Column(Integer, primary_key=True)


class Render(Base):
    __tablename__ = "renders"
    id = Column(Integer, primary_key=True)
    project_id = Column(ForeignKey("projects.id"))
    owner_id = Column(ForeignKey("projects.id"))
    name = Column(String)
"""

QUERIES = """
from app.models import Render


def renders(session, project_id):
    return session.query(Render).filter(Render.project_id == project_id).all()


def owned(session, owner_id):
    return session.query(Render).filter(Render.owner_id == owner_id).all()
"""

ENV = """
from alembic import context
from sqlalchemy import create_engine

config = context.config
engine = create_engine(
    config.get_main_option("sqlalchemy.url"), **config.attributes.get("engine", {})
)
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
"""

INIT = '''"""Create the tables

Revision ID: a1
Revises:
Create Date: 2024-01-01 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision: str = "a1"
down_revision = None


def upgrade() -> None:
    op.create_table("projects", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_table(
        "renders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id")),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("projects.id")),
        sa.Column("name", sa.String()),
    )


def downgrade() -> None:
    op.drop_table("renders")
    op.drop_table("projects")
'''


def project(tmp_path: Path, *, queries: str = QUERIES) -> Path:
    files = {
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/queries.py": queries,
        "alembic.ini": "[alembic]\nscript_location = %(here)s/db\n",
        "db/env.py": ENV,
        "db/script.py.mako": "",
        "db/versions/a1_init.py": INIT,
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip("\n"), encoding="utf-8")
    return tmp_path


def apply(root: Path, *extra: str):
    return n1fix(
        "apply", ".", "--select", "missing-index", "--unsafe-fixes", *extra, cwd=root
    )


def alembic_config(root: Path, url: str, **engine) -> AlembicConfig:
    config = AlembicConfig(str(root / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["engine"] = engine
    return config


def new_migrations(root: Path) -> list[Path]:
    return sorted(
        p for p in (root / "db" / "versions").glob("*.py") if p.name != "a1_init.py"
    )


def indexes(url: str, **engine) -> set[str]:
    db = sa.create_engine(url, **engine)
    try:
        return {i["name"] for i in sa.inspect(db).get_indexes("renders")}
    finally:
        db.dispose()


def test_apply_writes_two_chained_migrations_that_alembic_runs_on_sqlite(tmp_path):
    root = project(tmp_path)
    run = apply(root)
    assert run.code == 0, run
    models = (root / "app/models.py").read_text(encoding="utf-8")
    assert 'project_id = Column(ForeignKey("projects.id"), index=True)' in models
    assert 'owner_id = Column(ForeignKey("projects.id"), index=True)' in models
    written = new_migrations(root)
    assert len(written) == 2
    assert {p.name.split("_", 1)[1] for p in written} == {
        "add_ix_renders_project_id.py",
        "add_ix_renders_owner_id.py",
    }
    text = written[0].read_text(encoding="utf-8")
    # in the style of the project's migration: annotations, its quotes, `-> None`
    assert "revision: str = " in text and "def upgrade() -> None:" in text
    assert "with op.get_context().autocommit_block():" in text
    assert "postgresql_concurrently=True" in text
    config = alembic_config(root, f"sqlite:///{root / 'db.sqlite'}")
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1  # the second migration follows the first
    url = f"sqlite:///{root / 'db.sqlite'}"
    command.upgrade(config, "head")
    assert indexes(url) == {"ix_renders_project_id", "ix_renders_owner_id"}
    command.downgrade(config, "a1")
    assert indexes(url) == set()
    # the second run: the models index the columns, the migrations create the indexes
    again = apply(root, "--dry-run")
    assert again.code == 0, again
    assert again.out == ""
    assert new_migrations(root) == written


def test_the_revision_ids_are_the_same_for_the_same_inputs(tmp_path):
    first = project(tmp_path / "one")
    second = project(tmp_path / "two")
    assert apply(first).code == 0
    assert apply(second).code == 0
    assert [p.name for p in new_migrations(first)] == [
        p.name for p in new_migrations(second)
    ]
    for a, b in zip(new_migrations(first), new_migrations(second)):
        assert a.read_text(encoding="utf-8") == b.read_text(encoding="utf-8")


def test_dry_run_shows_the_new_migration_from_dev_null(tmp_path):
    root = project(tmp_path)
    run = apply(root, "--dry-run")
    assert run.code == 1, run
    assert "--- /dev/null\n+++ b/db/versions/" in run.out
    assert '+"""Add index ix_renders_project_id' in run.out
    assert new_migrations(root) == []  # nothing written
    assert "would be created for the fixes at app/models.py:" in run.err


def test_a_versions_folder_that_cannot_be_written_is_one_line_and_the_run_goes_on(
    tmp_path, monkeypatch
):
    root = project(tmp_path)
    (root / "app/loops.py").write_text(
        textwrap.dedent(
            """
            from app.models import Render


            def names(session, ids):
                return [session.query(Render).get(i).name for i in ids]
            """
        ),
        encoding="utf-8",
    )
    real_access = os.access

    def versions_read_only(path, mode, *args, **kwargs):
        if Path(path).name == "versions" and mode & os.W_OK:
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", versions_read_only)
    run = n1fix(
        "apply",
        ".",
        "--select",
        "missing-index,query-in-loop",
        "--unsafe-fixes",
        cwd=root,
    )
    monkeypatch.undo()
    lines = [line for line in run.err.splitlines() if "versions" in line]
    assert len(lines) == 1, run.err
    assert "cannot create db/versions/" in lines[0]
    assert "db/versions is not writable" in lines[0]
    assert new_migrations(root) == []
    # the model change is not written without its migration; the other file's fix is
    assert "index=True" not in (root / "app/models.py").read_text(encoding="utf-8")
    assert "app/loops.py: 1 fix" in run.err, run.err


def test_alembic_runs_the_written_migration_on_postgresql(tmp_path, postgres_server):
    root = project(tmp_path)
    assert apply(root).code == 0
    with postgres_server.database() as target:
        engine = dict(connect_args=dict(target.connect_args))
        config = alembic_config(root, target.sync_url, **engine)
        command.upgrade(config, "head")
        assert indexes(target.sync_url, **engine) == {
            "ix_renders_project_id",
            "ix_renders_owner_id",
        }
        command.downgrade(config, "a1")
        assert indexes(target.sync_url, **engine) == set()
        command.upgrade(config, "head")  # and up again after the downgrade
        assert len(indexes(target.sync_url, **engine)) == 2


def test_a_migration_already_written_by_an_earlier_run_is_not_written_again(tmp_path):
    root = project(tmp_path)
    assert apply(root).code == 0
    written = {p.name: p.read_text(encoding="utf-8") for p in new_migrations(root)}
    # the model change undone by hand, the migrations kept: the index is declared by
    # the migrations, so no finding and no new file
    models = root / "app/models.py"
    models.write_text(MODELS.lstrip("\n"), encoding="utf-8")
    run = apply(root)
    assert run.code == 0, run
    assert {p.name: p.read_text(encoding="utf-8") for p in new_migrations(root)} == (
        written
    )


def test_no_migration_without_alembic_setup(tmp_path):
    root = project(tmp_path)
    (root / "alembic.ini").unlink()
    (root / "db/env.py").unlink()
    run = apply(root)
    assert run.code == 0, run
    assert new_migrations(root) == []
    assert "index=True" in (root / "app/models.py").read_text(encoding="utf-8")


def test_version_locations_and_env_py_name_the_versions_folders(tmp_path):
    from n1fix.sql.schema_files import schema_indexes

    (tmp_path / "a/versions").mkdir(parents=True)
    (tmp_path / "a/env.py").write_text("from alembic import context\n")
    (tmp_path / "b/versions").mkdir(parents=True)
    (tmp_path / "b/alembic.ini").write_text(
        "[alembic]\nscript_location = b\nversion_locations = %(here)s/versions\n"
    )
    (tmp_path / "c").mkdir()
    (tmp_path / "c/alembic.ini").write_text(
        "[alembic]\nscript_location = mypackage:migrations\n"
    )
    schema_indexes.cache_clear()
    found = {
        f["path"]: f["alembic_versions"]
        for f in schema_indexes(tmp_path)
        if "alembic_versions" in f
    }
    assert found == {"a/env.py": ["a/versions"], "b/alembic.ini": ["b/versions"]}


def test_migration_text_follows_the_unannotated_style():
    from n1fix.rules.missing_index.migration import Migration

    text = Migration(
        "v", "r2", "r1", "ix_t_c", "t", ("c", "d"), "d IS NULL", {"quote": "'"}
    ).text
    compile(text, "m.py", "exec")
    assert "revision = 'r2'\ndown_revision = 'r1'\n" in text
    assert "postgresql_where=sa.text('d IS NULL')" in text
    assert "def upgrade():" in text
    assert textwrap.dedent(text).startswith('"""Add index ix_t_c\n\nRevision ID: r2\n')


def test_the_interactive_prompt_shows_the_migration_and_a_declined_one_is_not_chained(
    tmp_path,
):
    import pexpect
    from n1fix_project import N1FIX

    root = project(tmp_path)
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200"}
    child = pexpect.spawn(
        str(N1FIX),
        ["apply", "--interactive", "--select", "missing-index", "."],
        cwd=str(root),
        env=env,
        encoding="utf-8",
        timeout=60,
    )
    prompt = r"Apply this change\? \[y,n,a,d,q,\?\]"
    child.expect(r"\+\+\+ b/app/models.py")
    child.expect(r"--- /dev/null\s+\+\+\+ b/db/versions/\w+_add_ix_renders_project_id")
    child.expect(prompt)
    child.sendline("n")
    child.expect(r"\+\+\+ b/db/versions/\w+_add_ix_renders_owner_id")
    child.expect(prompt)
    child.sendline("y")
    child.expect(r"Applied 1 change, skipped 1 change; wrote 2 files\.")
    child.expect(pexpect.EOF)
    (written,) = new_migrations(root)
    assert "_add_ix_renders_owner_id" in written.name
    assert 'down_revision = "a1"' in written.read_text(encoding="utf-8") or (
        'down_revision: Union[str, None] = "a1"' in written.read_text(encoding="utf-8")
    )


def test_the_bot_commits_the_migration_with_the_model_change(tmp_path, monkeypatch):
    from n1fix.bot.edits import edits_from
    from n1fix.config import Config
    from n1fix.engine.runner import run

    root = project(tmp_path)
    monkeypatch.chdir(root)
    config = Config(select=["missing-index"], unsafe_fixes=True, cache=False)
    result = run([root], root, config, fix=True)
    (edit,) = edits_from(result, root)
    assert edit.paths[0] == "app/models.py"
    assert len(edit.paths) == 3
    assert all(p.startswith("db/versions/") for p in edit.paths[1:])
    assert len(edit.findings) == 2


def test_a_new_file_is_not_written_over_one_that_appeared_meanwhile(tmp_path):
    from n1fix.engine.fileio import FileChanged, SourceFile, write_atomic

    path = tmp_path / "new.py"
    write_atomic(path, b"x = 1\n", original=SourceFile.absent(path))
    assert path.read_bytes() == b"x = 1\n"
    with pytest.raises(FileChanged, match="created by someone else"):
        write_atomic(path, b"x = 2\n", original=SourceFile.absent(path))
    assert path.read_bytes() == b"x = 1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["new.py"]  # no temp file left


def test_the_migration_names_the_schema_the_migrations_create_the_table_in(tmp_path):
    from n1fix.rules.missing_index.findings import project_review
    from n1fix.engine.runner import run
    from n1fix.config import Config

    root = project(tmp_path)
    init = root / "db/versions/a1_init.py"
    init.write_text(
        init.read_text(encoding="utf-8").replace(
            'sa.Column("name", sa.String()),\n    )',
            'sa.Column("name", sa.String()),\n        schema="media",\n    )',
        ),
        encoding="utf-8",
    )
    result = run([root], root, Config(select=["missing-index"], cache=False), jobs=1)
    migrations = [a.migration for a in project_review(result.project).advice]
    assert [m.schema for m in migrations] == ["media", "media"]
    assert all('schema="media",' in m.text for m in migrations)


def test_when_a_later_migration_cannot_be_created_the_fix_writes_none(tmp_path):
    from n1fix.rules.missing_index.migration import revision_id

    root = project(tmp_path)
    first = revision_id("ix_renders_project_id", "a1")
    second = revision_id("ix_renders_owner_id", first)
    squatter = root / f"db/versions/{second}_add_ix_renders_owner_id.py"
    squatter.write_text("# not a migration\n", encoding="utf-8")
    run = apply(root)
    assert "a different file of that name is there" in run.err, run.err
    assert new_migrations(root) == [squatter]  # the first one was not written either
    assert "index=True" not in (root / "app/models.py").read_text(encoding="utf-8")


def test_the_migration_names_the_schema_the_model_declares(tmp_path):
    from n1fix.config import Config
    from n1fix.engine.runner import run
    from n1fix.rules.missing_index.findings import project_review

    root = project(tmp_path)
    models = root / "app/models.py"
    models.write_text(
        models.read_text(encoding="utf-8")
        .replace(
            '__tablename__ = "renders"',
            '__tablename__ = "renders"\n    __table_args__ = {"schema": "media"}',
        )
        .replace(
            '__tablename__ = "projects"',
            '__tablename__ = "projects"\n    __table_args__ = SHARED_ARGS',
        ),
        encoding="utf-8",
    )
    result = run([root], root, Config(select=["missing-index"], cache=False), jobs=1)
    migrations = [a.migration for a in project_review(result.project).advice]
    assert [m.schema for m in migrations] == ["media", "media"]
    statements = sorted(a.statement for a in project_review(result.project).advice)
    assert (
        statements[0] == "CREATE INDEX ix_renders_owner_id ON media.renders(owner_id);"
    )


def test_no_migration_when_the_tables_schema_is_not_known(tmp_path):
    # another model names a schema, this one none: it may inherit one
    from n1fix.config import Config
    from n1fix.engine.runner import run
    from n1fix.rules.missing_index.findings import project_review

    root = project(tmp_path)
    models = root / "app/models.py"
    models.write_text(
        models.read_text(encoding="utf-8").replace(
            '__tablename__ = "projects"',
            '__tablename__ = "projects"\n    __table_args__ = {"schema": "core"}',
        ),
        encoding="utf-8",
    )
    result = run([root], root, Config(select=["missing-index"], cache=False), jobs=1)
    advice = project_review(result.project).advice
    assert [a.migration for a in advice] == [None, None]
    assert {a.no_migration for a in advice} == {"the schema of renders is not known"}


@pytest.mark.parametrize(
    "convention, name",
    [
        ('"idx_%(column_0_N_label)s"', "idx_renders_project_id"),
        ('"ix_%(table_name)s_%(column_0_name)s"', "ix_renders_project_id"),
        ('"ix_%(unique_index)s%(table_name)s_%(column_names)s"', None),
        ("IX_TEMPLATE", None),
    ],
)
def test_the_index_is_named_by_the_projects_naming_convention(
    tmp_path, convention, name
):
    # the model's `index=True` gets its name from MetaData(naming_convention=...): the
    # migration must create the same one, or the model and the database disagree
    from n1fix.config import Config
    from n1fix.engine.runner import run
    from n1fix.rules.missing_index.findings import project_review

    root = project(tmp_path)
    models = root / "app/models.py"
    models.write_text(
        models.read_text(encoding="utf-8").replace(
            "Base = declarative_base()",
            "naming_convention = {\n"
            f'    "ix": {convention},\n'
            '    "pk": "%(table_name)s_pkey",\n'
            "}\n"
            "Base = declarative_base(metadata=MetaData(naming_convention=naming_convention))",
        ),
        encoding="utf-8",
    )
    result = run([root], root, Config(select=["missing-index"], cache=False), jobs=1)
    advice = next(
        a for a in project_review(result.project).advice if a.attr == "project_id"
    )
    if name is None:
        assert advice.migration is None
        assert (
            advice.no_migration == "the project's index naming convention is not read"
        )
    else:
        assert advice.migration.index == name
        assert advice.statement.startswith(f"CREATE INDEX {name} ON renders")
