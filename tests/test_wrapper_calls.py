"""Query functions that return through a project helper module (lemur's `database`).

The helper's body is read in place of its call only when that is an exact rewriting;
golden/query_in_loop/dal_project_helper_module and the trap_project_helper_* cases run
the rewrite, these tests hold the limits of the reading.
"""

from __future__ import annotations

import textwrap

from test_call_batch import _project, _run

SERVICE = """
    from app.dal import get_render


    def renders(render_ids: list[int]):
        return [get_render(render_id) for render_id in render_ids]
"""

DAL = """
    from app import database
    from app.models import Render


    def get_render(render_id):
        return database.get(Render, render_id)
"""

DATABASE = """
    session = None


    def get_model_column(model, field):
        if field in getattr(model, "sensitive_fields", ()):
            raise LookupError(field)
        column = model.__table__.columns.get(field, None)
        if column is None:
            raise LookupError(field)
        return column


    def get(model, value, field="id"):
        return session.query(model).filter(get_model_column(model, field) == value).scalar()
"""


def _finding(tmp_path, database: str = DATABASE, dal: str = DAL, sensitive: str = ""):
    root = _project(tmp_path, SERVICE, dal=dal)
    (root / "app" / "database.py").write_text(textwrap.dedent(database))
    if sensitive:
        models = root / "app" / "models.py"
        models.write_text(
            models.read_text().replace(
                '__tablename__ = "renders"',
                f'__tablename__ = "renders"\n    sensitive_fields = ("{sensitive}",)',
            )
        )
    (finding,) = _run(root).findings
    return finding


def test_a_helper_whose_guards_hold_for_the_arguments_is_read_through(tmp_path):
    finding = _finding(tmp_path)
    assert finding.applicability.value == "safe"
    assert "add `get_renders()` next to it" in finding.message


def test_a_guard_that_would_raise_keeps_the_call(tmp_path):
    dal = DAL.replace(
        "database.get(Render, render_id)",
        'database.get(Render, render_id, field="id")',
    )
    assert _finding(tmp_path, dal=dal).applicability.value == "safe"
    # the model marks the field sensitive: the helper raises, and n1fix leaves it alone
    finding = _finding(tmp_path, dal=dal, sensitive="id")
    assert finding.applicability.value == "none"
    assert "not unique" not in finding.message


def test_a_helper_ending_in_query_scalar_on_a_key_not_unique_gets_no_fix(tmp_path):
    """1.x `Query.scalar()` is `.one()` with None for no row: two renders of one project
    raise MultipleResultsFound, where a batch would keep one of them (lemur's
    `sources/cli.py`, `Destination.label`)."""
    dal = DAL.replace(
        "database.get(Render, render_id)",
        'database.get(Render, render_id, field="project_id")',
    )
    finding = _finding(tmp_path, dal=dal)
    assert finding.applicability.value == "none"
    assert "`Render.project_id` is not shown unique" in finding.message
    # a field that is no column of the model: the look-up guard raises
    dal = DAL.replace(
        "database.get(Render, render_id)",
        'database.get(Render, render_id, field="owner")',
    )
    assert _finding(tmp_path, dal=dal).applicability.value == "none"


def test_a_decorated_or_rebound_helper_is_not_read(tmp_path):
    cached = DATABASE.replace(
        "def get(model", "import functools\n\n\n@functools.cache\ndef get(model"
    )
    assert _finding(tmp_path, database=cached).applicability.value == "none"
    rebound = DATABASE + "\n\nget = print\n"
    assert _finding(tmp_path, database=rebound).applicability.value == "none"


def test_a_helper_reached_by_an_argument_that_calls_code_is_not_read(tmp_path):
    dal = DAL.replace(
        "database.get(Render, render_id)",
        'database.get(Render, render_id, field=str("id"))',
    )
    assert _finding(tmp_path, dal=dal).applicability.value == "none"
