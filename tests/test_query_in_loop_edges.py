"""Shapes that look batchable but are not, and their neighbours that are."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from n1fix.engine.api import scan_source

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

SERVICE = """
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from renderapp.models import Project, Render, User


    def run(session: Session, users: list[User], projects: list[Project]):
        return {body}
"""

CASES = [
    # one column's values: the batch selects the key column beside it
    (
        "[session.scalars(select(Render.status).where(Render.project_id == p.id)).all() for p in projects]",
        "safe",
    ),
    (
        "[session.execute(select(Render.status).where(Render.project_id == p.id)).scalars().all() for p in projects]",
        "safe",
    ),
    # `.unique()` drops an item's repeated values: not what grouping all rows gives
    (
        "[session.scalars(select(Render.status).where(Render.project_id == p.id)).unique().all() for p in projects]",
        "none",
    ),
    # the first value of a unique key: at most one row a key
    (
        "[session.scalar(select(User.email).where(User.id == p.user_id)) for p in projects]",
        "safe",
    ),
    # `Query.scalar()` raises on many rows: safe on a unique key only
    (
        "[session.query(User.email).filter(User.id == p.user_id).scalar() for p in projects]",
        "safe",
    ),
    (
        # 1.x `Query.scalar()` raises on two rows; a key not unique gets no batch
        "[session.query(Render.status).filter(Render.project_id == p.id).scalar() for p in projects]",
        "none",
    ),
    # the first of many values, in no stated order
    (
        "[session.scalar(select(Render.status).where(Render.project_id == p.id)) for p in projects]",
        "unsafe",
    ),
    # a relationship, not a column: not selected beside the key
    (
        "[session.scalars(select(Project.renders).where(Project.id == p.id)).all() for p in projects]",
        "none",
    ),
    # rows, not values: a row's shape (its columns, their names) is the caller's, and
    # the key column added beside them would change it
    (
        "[session.execute(select(Render.id, Render.status).where(Render.project_id == p.id)).all() for p in projects]",
        "none",
    ),
    (
        "[session.query(Render.status).filter(Render.project_id == p.id).all() for p in projects]",
        "none",
    ),
    # filter_by after a join filters the joined model (Project.user_id), not Render.user_id
    (
        "[session.scalars(select(Render).join(Project).filter_by(user_id=u.id)).all() for u in users]",
        "none",
    ),
    # without the join it is Render.user_id: batchable
    (
        "[session.scalars(select(Render).filter_by(user_id=u.id)).all() for u in users]",
        "safe",
    ),
    # a relationship compared with the item: `in_()` is not defined on relationships
    (
        "[session.scalars(select(Render).where(Render.project == p)).all() for p in projects]",
        "none",
    ),
    # two columns keyed by the item at once: one row-value batch (`tuple_(...).in_`)
    (
        "[session.scalars(select(Render).where(Render.project_id == p.id, Render.user_id == p.user_id)).all() for p in projects]",
        "safe",
    ),
    # the query runs only when `users` is not empty and reads `users[0]`: a condition the
    # same for every item, which the batch keeps (`if project_ids and users:`)
    (
        "[session.scalars(select(Render).where(Render.project_id == p.id, Render.user_id == users[0].id)).all() if users else [] for p in projects]",
        "safe",
    ),
    (
        "[users and session.scalars(select(Render).where(Render.project_id == p.id, Render.user_id == users[0].id)).all() for p in projects]",
        "safe",
    ),
    # ... but a condition that changes per item cannot go with the batch: `users[0]` would
    # be read before the loop, for every item
    (
        "[session.scalars(select(Render).where(Render.project_id == p.id, Render.user_id == users[0].id)).all() if p.user_id and users else [] for p in projects]",
        "none",
    ),
]


@pytest.mark.parametrize("body,applicability", CASES)
def test_applicability(tmp_path, body, applicability):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    service = tmp_path / "service.py"
    service.write_text(textwrap.dedent(SERVICE).format(body=body))
    findings = scan_source(service, service.read_text())
    assert [f.applicability.value for f in findings] == [applicability], [
        f.message for f in findings
    ]


def test_sessions_built_with_a_query_class_that_overrides_iteration_get_no_fix(
    tmp_path,
):
    """`sessionmaker(query_cls=SoftDeleteQuery)`, whose `__iter__` hides deleted rows: a
    batch iterating `session.query(...)` cannot assume the stock Query's meaning."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    (tmp_path / "db.py").write_text(
        textwrap.dedent("""
        from sqlalchemy.orm import Query, sessionmaker


        class SoftDeleteQuery(Query):
            def __iter__(self):
                return super().__iter__()


        Session = sessionmaker(query_cls=SoftDeleteQuery)
    """)
    )
    service = tmp_path / "service.py"
    service.write_text(
        "import db\n"
        + textwrap.dedent(SERVICE).format(
            body="[session.query(Render).filter(Render.project_id == p.id).all() for p in projects]"
        )
    )
    (finding,) = scan_source(service, service.read_text())
    assert finding.applicability.value == "none"
    assert (
        "query with `SoftDeleteQuery`, which defines its own `__iter__`"
        in finding.message
    )


@pytest.mark.parametrize(
    "setup,applicability",
    [
        # an instance of a project class that is not a session: its `get` is its own
        ("repo = Repo()", "none"),
        # an instance of the project's own Session subclass is a session
        ("repo = AppSession()", "safe"),
    ],
)
def test_a_project_class_instance_is_a_session_only_when_its_class_is_one(
    tmp_path, setup, applicability
):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    (tmp_path / "repos.py").write_text(
        textwrap.dedent("""
        from sqlalchemy.orm import Session


        class Repo:
            def get(self, model, key):
                return None


        class AppSession(Session):
            pass
    """)
    )
    service = tmp_path / "service.py"
    service.write_text(
        textwrap.dedent(f"""
        from renderapp.models import Project, Render
        from repos import AppSession, Repo


        def owners(renders: list[Render]):
            {setup}
            return [repo.get(Project, render.project_id) for render in renders]
    """)
    )
    (finding,) = scan_source(service, service.read_text())
    assert finding.applicability.value == applicability, finding.message


def test_a_loop_that_always_returns_after_one_item_is_not_reported(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    service = tmp_path / "service.py"
    service.write_text(
        textwrap.dedent("""
        from sqlalchemy import select

        from renderapp.models import Project, Render


        def first_project_renders(session, projects: list[Project]):
            for project in projects:
                renders = session.scalars(select(Render).where(Render.project_id == project.id)).all()
                return renders
            return []
    """)
    )
    assert scan_source(service, service.read_text()) == []


@pytest.mark.parametrize(
    "keys, applicability, reason",
    [
        ("(1, 2, 4, 8, 16)", "safe", None),
        # literals of the wrong type: SQL converts '1' to 1, a dict lookup does not
        ("('1', '2', '4', '8', '16')", "unsafe", "the key is str but `User.id` is int"),
        # mixed or computed elements: the type is not shown
        ("(1, '2', 4, 8, 16)", "unsafe", "the key's type is unknown"),
    ],
)
def test_literal_keys_have_the_type_of_their_literals(
    tmp_path, keys, applicability, reason
):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    service = tmp_path / "service.py"
    service.write_text(
        textwrap.dedent(f"""
        from sqlalchemy.orm import Session

        from renderapp.models import User


        def emails(session: Session):
            found = []
            for user_id in {keys}:
                found.append(session.get(User, user_id))
            return found
    """)
    )
    (finding,) = scan_source(service, service.read_text())
    assert finding.applicability.value == applicability, finding.message
    assert reason is None or reason in finding.message


@pytest.mark.parametrize(
    "loops, fixable",
    [
        # a few items written out: the round trips are fixed by the code, not the data
        (["for user_id in (1, 2):"], False),
        (["for user_id in [1, 2, 3, 4]:"], False),
        (["for user_id in {first, second}:"], False),
        # nested in a loop over data, the N is back
        (["for first in firsts:", "for user_id in (first, second):"], True),
        # more than a few, or not a literal display
        (["for user_id in (1, 2, 3, 4, 5):"], True),
        (["for user_id in (*firsts, second):"], True),
        (["for user_id in firsts:"], True),
    ],
)
def test_a_loop_over_a_few_literal_items_gets_no_fix(tmp_path, loops, fixable):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    service = tmp_path / "service.py"
    lines = [
        "from sqlalchemy.orm import Session",
        "",
        "from renderapp.models import User",
        "",
        "",
        "def emails(session: Session, firsts: list[int], first: int, second: int):",
        "    found = []",
        *("    " * (depth + 1) + loop for depth, loop in enumerate(loops)),
        "    " * (len(loops) + 1) + "found.append(session.get(User, user_id))",
        "    return found",
    ]
    service.write_text("\n".join(lines) + "\n")
    (finding,) = scan_source(service, service.read_text())
    assert finding.fixable is fixable, finding.message
    assert fixable or "a few items written out in the code" in finding.message


BODIES = """\
from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def run(session: Session, projects: list[Project]):
    out = []
    for project in projects:
{body}
    return out
"""


@pytest.mark.parametrize(
    "body,applicability",
    [
        # the test of an `if` at the top of the body runs for every item
        (
            "if session.scalars(select(Render).where(Render.project_id == project.id)).first():\n"
            "    out.append(project)",
            "unsafe",  # .first() without ORDER BY: not for the `if`
        ),
        (
            "if session.scalars(select(Render).where(Render.project_id == project.id).order_by(Render.id)).first():\n"
            "    out.append(project)",
            "safe",
        ),
        # ... its body runs for the items its test lets through: the keys are filtered alike
        (
            "if project.name:\n"
            "    out.append(session.scalars(select(Render).where(Render.project_id == project.id).order_by(Render.id)).first())",
            "safe",
        ),
        # a result bound to a name, then iterated once in the body
        (
            "renders = session.scalars(select(Render).where(Render.project_id == project.id))\n"
            "out.append([r.id for r in renders])",
            "safe",
        ),
        # ... read twice: a result iterates once, the batch's list twice
        (
            "renders = session.scalars(select(Render).where(Render.project_id == project.id))\n"
            "out.append(list(renders) + list(renders))",
            None,
        ),
        # ... iterated in an inner loop: once per inner item
        (
            "renders = session.scalars(select(Render).where(Render.project_id == project.id))\n"
            "for tag in ('a', 'b'):\n"
            "    out.append([r.id for r in renders])",
            None,
        ),
    ],
)
def test_where_the_query_runs_for_every_item(tmp_path, body, applicability):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    service = tmp_path / "service.py"
    service.write_text(BODIES.format(body=textwrap.indent(body, " " * 8)))
    findings = [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "query-in-loop"
    ]
    assert [f.applicability.value for f in findings] == (
        [applicability] if applicability else []
    ), [f.message for f in findings]


@pytest.mark.parametrize(
    "body, found",
    [
        # a 1.x Query of a column built per item and turned into an EXISTS clause: no
        # statement runs in the loop (mlflow's trace search filters)
        (
            "[~session.query(Render.id).filter(Render.project_id == p.id).exists() for p in projects]",
            [],
        ),
        (
            "[session.query(Render.status).filter(Render.project_id == p.id).subquery() for p in projects]",
            [],
        ),
        # ... but iterated, it runs once per item
        (
            "[[s for (s,) in session.query(Render.status).filter(Render.project_id == p.id)] for p in projects]",
            ["none"],
        ),
    ],
)
def test_a_column_query_kept_as_a_clause_runs_nothing(tmp_path, body, found):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    service = tmp_path / "service.py"
    service.write_text(textwrap.dedent(SERVICE).format(body=body))
    findings = scan_source(service, service.read_text())
    assert [f.applicability.value for f in findings] == found, [
        f.message for f in findings
    ]


def test_a_helper_that_returns_a_subquery_runs_nothing(tmp_path):
    """A project function whose query ends in `.subquery()` builds a clause the caller
    joins; calling it per item sends no statement (mlflow's latest-metric subquery)."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    service = tmp_path / "service.py"
    service.write_text(
        textwrap.dedent("""
        from sqlalchemy.orm import Session

        from renderapp.models import Project, Render


        def statuses_subquery(session: Session, project_id: int):
            return (
                session.query(Render.id, Render.status)
                .filter(Render.project_id == project_id)
                .subquery()
            )


        def statuses_query(session: Session, project_id: int):
            return session.query(Render.status).filter(Render.project_id == project_id).all()


        def clauses(session: Session, projects: list[Project]):
            return [statuses_subquery(session, p.id) for p in projects]


        def rows(session: Session, projects: list[Project]):
            return [statuses_query(session, p.id) for p in projects]
        """)
    )
    findings = scan_source(service, service.read_text())
    assert [f.line for f in findings] == [24], [f.message for f in findings]
