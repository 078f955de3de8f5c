"""write-in-loop: shapes that look batchable but are not, their neighbours that are, and
the model facts the rule leans on (event listeners, version counters, cascades)."""

from __future__ import annotations

import ast
import shutil
import textwrap
from pathlib import Path

import pytest

from n1fix.engine.api import fix_source, scan_source
from n1fix.orm.models import ModelIndex, extract_models
from n1fix.rules.write_in_loop.rule import gate

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

SERVICE = """\
import sqlalchemy as sa
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from renderapp.models import Project, Render, User
from renderapp.models import Render as RENDER
from elsewhere import Unindexed, notify, renders_table


def run(session: Session, users: list[User], renders: list[Render], ids: list[int]):
    for render in renders:
{body}
"""


def _findings(tmp_path: Path, body: str):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    service = tmp_path / "service.py"
    service.write_text(
        SERVICE.format(body=textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 8))
    )
    return service, [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "write-in-loop"
    ]


CASES = [
    # the plain shapes
    ("session.execute(delete(Render).where(Render.id == render.id))", "safe"),
    (
        "session.execute(sa.update(Render).where(Render.id == render.id).values(status='done'))",
        "safe",
    ),
    (
        "session.execute(insert(Project).values(user_id=render.user_id, name=render.prompt))",
        "safe",
    ),
    # a Core table: no ORM events, no nullability to know for an INSERT
    ("session.execute(renders_table.insert(), {'id': render.id})", None),
    ("session.execute(insert(renders_table).values(id=render.id))", "safe"),
    # a model n1fix has not indexed: nullability and listeners unknown
    (
        "session.execute(delete(Unindexed).where(Unindexed.id == render.id))",
        "unsafe",
        "not in the model index",
    ),
    # values that read the row: a repeated key had it applied twice
    (
        "session.execute(update(Project).where(Project.id == render.project_id).values(name=Project.name + '!'))",
        "unsafe",
        "reads the row",
    ),
    # another statement may raise part-way
    (
        "notify(render.id)\nsession.execute(delete(Render).where(Render.id == render.id))",
        "unsafe",
        "`notify()`",
    ),
    # the loop returns part-way: the write after the loop would never run
    (
        "if render.status == 'done':\n    return\nsession.execute(delete(Render).where(Render.id == render.id))",
        "none",
        "`return`",
    ),
    # the session is passed to another function that may read what was written
    (
        "session.execute(delete(Render).where(Render.id == render.id))\nnotify(session)",
        "none",
        "passes `session`",
    ),
    # an INSERT whose value is a SQL expression
    (
        "session.execute(insert(Project).values(user_id=render.user_id, name=func.lower(render.prompt)))",
        "none",
        "SQL expression",
    ),
    # two columns keyed by the item at once
    (
        "session.execute(delete(Render).where(Render.id == render.id, Render.user_id == render.user_id))",
        "none",
        "several columns",
    ),
    # a second write in the same loop
    (
        "session.execute(delete(Render).where(Render.id == render.id))\nsession.execute(delete(Project).where(Project.id == render.project_id))",
        "none",
        "another write",
    ),
    # the UPDATE changes a column the loop reads off loaded objects
    (
        "print(render.status)\nsession.execute(update(Render).where(Render.id == render.id).values(status='done'))",
        "none",
        "reads `.status`",
    ),
    # a model imported under a name in capitals (`TI = TaskInstance`) is still the model
    ("session.execute(delete(RENDER).where(RENDER.id == render.id))", "safe"),
    # a Core table's column: the key's nullability is unknown
    (
        "session.execute(sa.update(renders_table).where(renders_table.c.id == render.id).values(status='x'))",
        "unsafe",
        "Core table",
    ),
    # merge of an object that carries its primary key: a SELECT per item, which one
    # query before the loop saves (the merges then find their rows in the session)
    ("session.merge(Project(id=render.project_id, name=render.prompt))", "safe"),
    # ... unless the loop does more than build and merge
    (
        "print(render.id)\nsession.merge(Project(id=render.project_id, name=render.prompt))",
        "none",
        "in_` query before the loop",
    ),
    # values that change per item, keyed by the primary key: a bulk UPDATE by primary key
    (
        "session.execute(update(Render).where(Render.id == render.id).values(prompt=render.prompt + '!'))",
        "unsafe",
        "StaleDataError",
    ),
    # ... which needs an ORM Session, the primary key, and no other condition
    (
        "conn.execute(update(Render).where(Render.id == render.id).values(prompt=render.prompt))",
        "none",
        "Connection",
    ),
    (
        "session.execute(update(Render).where(Render.project_id == render.id).values(prompt=render.prompt))",
        "none",
        "primary key",
    ),
    (
        "session.execute(update(Render).where(Render.id == render.id, Render.status == 'x').values(prompt=render.prompt))",
        "none",
        "other conditions",
    ),
    # inside a savepoint per item
    (
        "with session.begin_nested():\n    session.execute(delete(Render).where(Render.id == render.id))",
        "none",
        "`with` block",
    ),
    # refresh per item: a SELECT per object; one SELECT with populate_existing is unsafe
    ("session.refresh(render)", "unsafe", "whose row is gone"),
    # ... and not offered for arguments one SELECT of whole rows does not keep
    ("session.refresh(render, ['status'])", "none", "attribute_names"),
    ("session.refresh(render, with_for_update=True)", "none", "with_for_update"),
    # ... nor when the loop does more than refresh
    ("session.refresh(render)\nprint(render.status)", "none", "does more than refresh"),
    # ... nor when the object is not the loop's item
    ("session.refresh(render.project)", "none", "not the loop's item"),
    # a statement built in a variable first: reported with its cost, not rewritten
    (
        "stmt = delete(Render).where(Render.id == render.id)\nsession.execute(stmt)",
        "none",
        "built in `stmt` first",
    ),
    (
        "stmt = update(Render).where(Render.id == render.id).values(status='done')\nsession.execute(stmt)",
        "none",
        "built in `stmt`",
    ),
    # ... and a loop that had no fix anyway keeps its own reason
    (
        "stmt = delete(Render).where(Render.id == render.id)\nsession.execute(stmt)\nsession.commit()",
        "none",
        "commits",
    ),
    # ... but not when the name is bound twice in the loop (which statement runs is unclear)
    (
        "stmt = delete(Render).where(Render.id == render.id)\nif render.status:\n    stmt = delete(Project).where(Project.id == render.id)\nsession.execute(stmt)",
        None,
    ),
    # ... nor a statement built once before the loop (the same every time)
    ("session.execute(stmt_outside)", None),
]


@pytest.mark.parametrize("case", CASES)
def test_applicability(tmp_path, case):
    body, applicability, *reason = case
    _, findings = _findings(tmp_path, body)
    got = [f.applicability.value for f in findings]
    if applicability is None:
        assert got == [], [f.message for f in findings]
        return
    assert got[:1] == [applicability], [f.message for f in findings]
    if reason:
        assert reason[0] in findings[0].fix_note, findings[0].fix_note


NOT_REPORTED = [
    # already a batch per chunk
    "session.execute(delete(Render).where(Render.id.in_(ids)))",
    # the same statement each time, not keyed by the item
    "session.execute(update(Render).where(Render.status == 'queued').values(status='failed'))",
    # already a bulk UPDATE by primary key
    "session.execute(update(Render), [{'id': render.id, 'status': 'done'}])",
    # a read is query-in-loop's business
    "session.execute(select(Render).where(Render.id == render.id)).all()",
    # the unit of work batches adds
    "session.add(Project(user_id=render.user_id, name=render.prompt))",
    # not a session: a cache's delete
    "cache.delete(render.id)",
    # rows this function loaded are in the session: merge looks nothing up
    "pass\nfor row in session.scalars(select(Render)).all():\n    session.merge(row)",
    # no primary key to look up: merge adds the object without a SELECT
    "session.merge(Project(user_id=render.user_id, name=render.prompt))",
    "project = Project(name=render.prompt)\nproject.user_id = render.user_id\nsession.merge(project)",
    # the same object refreshed each time: not per item
    "session.refresh(users[0])",
    # a loop over tables: another statement per item, not another key
    "for table in (Render, Project):\n    session.execute(delete(table).where(table.id == render.id))",
]


@pytest.mark.parametrize("body", NOT_REPORTED)
def test_not_reported(tmp_path, body):
    _, findings = _findings(tmp_path, body)
    assert findings == [], [f.message for f in findings]


def test_keys_collected_in_place_when_the_write_sits_under_an_if(tmp_path):
    service, findings = _findings(
        tmp_path,
        """
        if render.status == "failed":
            session.execute(delete(Render).where(Render.id == render.id))
        """,
    )
    assert [f.applicability.value for f in findings] == ["safe"]
    text = fix_source(service, service.read_text()).text
    expected = textwrap.indent(
        textwrap.dedent(
            """\
            render_ids = []
            for render in renders:
                if render.status == "failed":
                    render_ids.append(render.id)
            if render_ids:
                session.execute(delete(Render).where(Render.id.in_(render_ids)))
            """
        ),
        " " * 4,
    )
    assert expected in text, text


def test_break_keeps_the_items_written_before_it(tmp_path):
    # The keys are collected where the write was, so a `break` stops collecting exactly
    # where the original stopped writing.
    service, findings = _findings(
        tmp_path,
        """
        session.execute(delete(Render).where(Render.id == render.id))
        if render.status == "failed":
            break
        """,
    )
    assert [f.applicability.value for f in findings] == ["safe"]
    text = fix_source(service, service.read_text()).text
    assert "render_ids.append(render.id)\n        if render.status" in text, text
    assert text.index("break") < text.index("if render_ids:"), text


def test_gate_sees_writes_in_loops_only():
    def gated(source: str) -> bool:
        source = textwrap.dedent(source)
        return gate(ast.parse(source), source)

    assert gated(
        "from sqlalchemy import delete\n"
        "for r in rs:\n    s.execute(delete(R).where(R.id == r.id))\n"
    )
    assert gated(
        "import sqlalchemy as sa\n"
        "async def f():\n    for r in rs:\n        await s.execute(x)\n"
    )
    assert gated("for r in rs:\n    session.delete(r)\n")
    assert not gated("s.execute(delete(R))\nfor r in rs:\n    print(r)\n")
    # a function defined in a loop does not run per item
    assert not gated("for r in rs:\n    def f():\n        s.execute(x)\n")
    # the loop's iterable runs once
    assert not gated("for r in s.execute(select(R)):\n    print(r)\n")


def test_gate_wants_what_the_check_reads_as_a_write():
    def gated(source: str) -> bool:
        source = textwrap.dedent(source)
        return gate(ast.parse(source), source)

    # `execute` writes only a SQLAlchemy statement the imports name: a git command, a
    # cursor of another library, are not; a relative import may be SQLAlchemy's own
    assert not gated("for r in rs:\n    repo.execute(['git', 'add', r])\n")
    assert gated("from . import x\nfor r in rs:\n    s.execute(delete(R))\n")
    # delete / merge / refresh of an object, through a session only
    assert not gated("for u in units:\n    store.merge(u)\n    tree.delete(u)\n")
    assert gated("for u in units:\n    self.db_session.merge(u)\n")
    # an item's save() / delete(): the loop's one name, over rows that may have a model
    assert not gated("for i, item in enumerate(items):\n    item.save()\n")
    assert not gated("for form in [a, b]:\n    form.save()\n")
    assert not gated("def f(forms):\n    for form in forms:\n        form.save()\n")
    assert not gated(
        "def f():\n    forms = [make(x) for x in xs]\n"
        "    for form in forms:\n        form.save()\n"
    )
    assert gated("def f(books: list[Book]):\n    for b in books:\n        b.save()\n")
    assert gated(
        "def f():\n    books = Book.objects.all()\n"
        "    for b in books:\n        b.save()\n"
    )
    # a related manager's rows: the check cannot type them (no model for the item),
    # so the gate turns them away too (tests/test_gate_precision.py)
    assert not gated("for b in author.books.all():\n    b.save()\n")
    assert gated("for b in self.books:\n    b.delete()\n")
    # a nested loop's or a while's body is not the outer loop's
    assert not gated(
        "for b in Book.objects.all():\n    for x in xs:\n        b.save()\n"
    )
    assert not gated("for b in Book.objects.all():\n    while x:\n        b.save()\n")


def _index(*modules: tuple[str, str]) -> ModelIndex:
    facts = []
    for name, source in modules:
        facts.extend(extract_models(ast.parse(textwrap.dedent(source)), name))
    return ModelIndex.from_facts(facts)


MODELS = """
    from sqlalchemy import ForeignKey
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


    class Base(DeclarativeBase):
        pass


    class Doc(Base):
        __tablename__ = "docs"
        id: Mapped[int] = mapped_column(primary_key=True)
        version: Mapped[int]
        __mapper_args__ = {"version_id_col": version}
        pages: Mapped[list["Page"]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


    class Page(Base):
        __tablename__ = "pages"
        id: Mapped[int] = mapped_column(primary_key=True)
        doc_id: Mapped[int] = mapped_column(ForeignKey("docs.id"))


    class Draft(Doc):
        pass
"""


def test_model_index_records_version_counters_and_cascades():
    index = _index(("app.models", MODELS))
    doc, page, draft = (
        index.get(f"app.models.{name}") for name in ("Doc", "Page", "Draft")
    )
    assert doc.version_id and draft.version_id and not page.version_id
    pages = doc.relationship("pages")
    assert pages.cascade == "all, delete-orphan" and pages.passive_deletes is True


def test_model_index_records_event_listeners_wherever_they_are_registered():
    events = """
        from sqlalchemy import event
        from sqlalchemy.orm import Mapper

        from app.models import Doc, Page


        @event.listens_for(Page, "before_update")
        def touch(mapper, connection, target):
            pass


        def install():
            event.listen(Doc.version, "set", touch)  # an attribute event
    """
    index = _index(("app.models", MODELS), ("app.events", events))
    assert [e for e, _ in index.get("app.models.Page").listeners] == ["before_update"]
    assert index.get("app.models.Page").listeners[0][1] == "app.events:8"
    assert [e for e, _ in index.get("app.models.Doc").listeners] == ["set"]
    # an attribute event stays on its class
    assert [e for e, _ in index.get("app.models.Draft").listeners] == []
    everywhere = """
        from sqlalchemy import event
        from sqlalchemy.orm import Mapper

        event.listen(Mapper, "after_update", print)
    """
    index = _index(("app.models", MODELS), ("app.audit", everywhere))
    assert all(m.listeners for m in index.models.values())


def test_modules_without_sqlalchemy_event_are_not_walked_for_listeners():
    source = "from blinker import signal\n\ndef listen(a, b):\n    pass\n\nlisten(Page, 'x')\n"
    facts = extract_models(ast.parse(source), "app.signals")
    assert not [f for f in facts if type(f).__name__ == "ListenerFacts"]


REFRESH = """\
{imports}
from sqlalchemy.orm import Session

from renderapp.models import Render
from elsewhere import Unindexed


{define}def reload(session: Session, renders: {annotation}):
    for render in renders:
        {call}
"""


def _scan_and_fix(tmp_path: Path, text: str):
    """The write-in-loop findings of `service.py` (next to renderapp) and its text fixed
    with --unsafe-fixes."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp", dirs_exist_ok=True)
    service = tmp_path / "service.py"
    service.write_text(text)
    findings = [f for f in scan_source(service, text) if f.rule == "write-in-loop"]
    return findings, fix_source(service, text, unsafe_fixes=True).text


def _refresh(
    tmp_path: Path,
    imports="",
    annotation="list[Render]",
    call="session.refresh(render)",
    define="",
):
    return _scan_and_fix(
        tmp_path,
        REFRESH.format(
            imports=imports, annotation=annotation, call=call, define=define
        ),
    )


def test_refresh_needs_the_objects_model(tmp_path):
    findings, _ = _refresh(tmp_path, annotation="list[Unindexed]")
    assert [f.applicability.value for f in findings] == ["none"]
    assert "model is unknown" in findings[0].fix_note
    findings, _ = _refresh(tmp_path, annotation="list")
    assert [f.applicability.value for f in findings] == ["none"]


def test_refresh_reads_keys_from_the_identity_not_the_expired_attribute(tmp_path):
    # `render.id` on an object a commit expired loads its row: a SELECT per object again.
    _, text = _refresh(tmp_path)
    assert "render_ids = [inspect(render).identity[0] for render in renders]" in text, (
        text
    )
    assert "from sqlalchemy import inspect, select\n" in text, text
    assert ".execution_options(populate_existing=True)" in text and ").all()" in text, (
        text
    )


def test_refresh_awaited_on_an_async_session(tmp_path):
    text = REFRESH.replace("def reload", "async def reload")
    _, fixed = _scan_and_fix(
        tmp_path,
        text.format(
            imports="",
            annotation="list[Render]",
            call="await session.refresh(render)",
            define="",
        ),
    )
    assert "    if render_ids:\n        (await session.scalars(\n" in fixed, fixed
    assert "        )).all()\n" in fixed, fixed
    compile(fixed, "service.py", "exec")


def test_refresh_is_left_alone_when_inspect_names_something_else(tmp_path):
    findings, text = _refresh(tmp_path, imports="import inspect")
    assert [f.applicability.value for f in findings] == ["unsafe"]
    assert "session.refresh(render)" in text and "identity" not in text, text
    # the module's own spelling of sqlalchemy's inspect is used
    _, text = _refresh(tmp_path, imports="import inspect\nimport sqlalchemy as sa")
    assert "sa.inspect(render).identity[0]" in text and "sa.select(Render)" in text, (
        text
    )


def test_refresh_of_a_model_with_a_composite_primary_key_has_no_fix(tmp_path):
    define = textwrap.dedent(
        """\
        class Base(DeclarativeBase):
            pass


        class Tag(Base):
            __tablename__ = "tags"
            render_id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(primary_key=True)


        """
    )
    imports = "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column"
    findings, _ = _refresh(
        tmp_path, imports=imports, annotation="list[Tag]", define=define
    )
    assert [f.applicability.value for f in findings] == ["none"]
    assert "composite primary key" in findings[0].fix_note


CORE = """\
import sqlalchemy as sa
from sqlalchemy import func, update
from alembic import op
from sqlalchemy.engine import Connection

from renderapp.models import Render
from elsewhere import engine, renders_table, session


def run(conn: Connection, renders: list[Render]):
{body}
"""


def _core(tmp_path: Path, body: str):
    return _scan_and_fix(
        tmp_path,
        CORE.format(body=textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 4)),
    )


CORE_CASES = [
    # values per item on a Connection: one executemany with bindparam()s, safe
    (
        "for render in renders:\n    conn.execute(update(Render).where(Render.id == render.id).values(prompt=render.prompt))",
        "safe",
        None,
    ),
    # ... keyed by any NOT NULL column, not only the primary key (each row still gets its own UPDATE)
    (
        "for render in renders:\n    conn.execute(update(Render).where(Render.project_id == render.project_id).values(prompt=render.prompt))",
        "safe",
        None,
    ),
    # ... a connection from engine.begin() is one too
    (
        "with engine.begin() as c:\n    for render in renders:\n        c.execute(update(Render).where(Render.id == render.id).values(prompt=render.prompt))",
        "safe",
        None,
    ),
    # a nullable key that may be None: `== None` is IS NULL, `== bindparam()` given None matches nothing
    (
        "for render in renders:\n    conn.execute(update(Render).where(Render.chain_id == render.parent_render_id).values(prompt=render.prompt))",
        "none",
        "nullable",
    ),
    # a Core table n1fix has no model for: the key's nullability is unknown
    (
        "for render in renders:\n    conn.execute(sa.update(renders_table).where(renders_table.c.id == render.id).values(prompt=render.prompt))",
        "unsafe",
        "Core table",
    ),
    # a per-item value that is a SQL expression is not a plain parameter
    (
        "for render in renders:\n    conn.execute(update(Render).where(Render.id == render.id).values(prompt=func.lower(render.prompt)))",
        "none",
        "SQL expression",
    ),
    # ... an alembic migration's `op.get_bind()` is one too
    (
        "connection = op.get_bind()\nfor render in renders:\n    connection.execute(update(Render).where(Render.id == render.id).values(prompt=render.prompt))",
        "safe",
        None,
    ),
    # ... but not a `get_bind()` of something else
    (
        "connection = session.get_bind()\nfor render in renders:\n    connection.execute(update(Render).where(Render.id == render.id).values(prompt=render.prompt))",
        "none",
        "may be a Connection",
    ),
    # a receiver not shown to be a Connection keeps the ORM path's answer
    (
        "for render in renders:\n    db.execute(update(Render).where(Render.id == render.id).values(prompt=render.prompt))",
        "none",
        "may be a Connection",
    ),
]


@pytest.mark.parametrize("case", CORE_CASES)
def test_core_update_on_a_connection(tmp_path, case):
    body, applicability, reason = case
    findings, _ = _core(tmp_path, body)
    assert [f.applicability.value for f in findings] == [applicability], [
        f.message for f in findings
    ]
    if reason:
        assert reason in findings[0].fix_note, findings[0].fix_note


def test_core_update_binds_only_what_changes_per_item(tmp_path):
    findings, text = _core(
        tmp_path,
        "for render in renders:\n    conn.execute(update(Render).where(Render.id == render.id).values(prompt=render.prompt, status=func.now()))",
    )
    assert [f.applicability.value for f in findings] == ["safe"]
    assert '{"b_id": render.id, "b_prompt": render.prompt}' in text, text
    # spelled through the module's own `import sqlalchemy as sa`: no new import
    assert 'values(prompt=sa.bindparam("b_prompt"), status=func.now())' in text, text
    assert "from sqlalchemy import func, update\n" in text, text


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_session_delete_per_item_is_one_executemany_at_flush(backend_name, request):
    # Why plain `session.delete(obj)` per item is not reported: the unit of work sends one
    # executemany DELETE for all the objects at flush, so a bulk `delete().where(in_())`
    # would save no round trip (and would skip the ORM's bookkeeping).
    from golden_support import (
        SQLiteBackend,
        ensure_golden_on_path,
        load_case,
        run_scenario_detailed,
    )

    ensure_golden_on_path()
    backend = (
        SQLiteBackend()
        if backend_name == "sqlite"
        else request.getfixturevalue("postgres_server")
    )
    case = load_case(GOLDEN / "write_in_loop" / "delete_per_item_not_reported")
    outcome, counter = run_scenario_detailed(case, "before", backend)
    deletes = [s for s in counter.statements if s.lstrip().upper().startswith("DELETE")]
    assert len(deletes) == 1, counter.statements
    assert counter.count == 3, (
        counter.statements
    )  # the scenario's UPDATE, the SELECT, one DELETE
    # ... and that one statement removed all three objects' rows
    assert not [row for row in outcome.database["gallery_items"] if row[1] == 1], (
        outcome.database["gallery_items"]
    )


def test_core_update_that_renames_its_key_binds_the_old_value_apart(tmp_path):
    # Each row still gets its own UPDATE, in loop order, so a rename keyed by the column it
    # changes means the same; only the two parameters need names of their own.
    findings, text = _core(
        tmp_path,
        "for render in renders:\n    conn.execute(update(Render).where(Render.prompt == render.prompt).values(prompt=render.status))",
    )
    assert [f.applicability.value for f in findings] == ["safe"], [
        f.message for f in findings
    ]
    assert '{"b_old_prompt": render.prompt, "b_prompt": render.status}' in text, text
    assert 'where(Render.prompt == sa.bindparam("b_old_prompt"))' in text, text


def test_a_project_module_is_not_a_session(tmp_path):
    """`database.execute(...)` where `database` is a module of the project: its `execute`
    is the project's own function, not Session.execute: no fix."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    (tmp_path / "database.py").write_text(
        "session = None\n\n\ndef execute(statement):\n    return session.execute(statement)\n"
    )
    service = tmp_path / "service.py"
    service.write_text(
        textwrap.dedent("""
        from sqlalchemy import delete

        import database
        from renderapp.models import Render


        def purge(renders: list[Render]):
            for render in renders:
                database.execute(delete(Render).where(Render.id == render.id))
    """)
    )
    (finding,) = [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "write-in-loop"
    ]
    assert finding.applicability.value == "none"
    assert (
        "`database` is the project module `database`, not a session" in finding.message
    )
