"""lazy-load-in-loop and related-key-via-relationship beyond the golden cases: loader
strategies declared on the mapper, options n1fix cannot read, wildcards, raise-on-load,
Flask-SQLAlchemy's `Model.query`, existing options laid out one a line, and what
related-key-via-relationship must leave alone."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from n1fix.engine.api import fix_source, scan_source
from n1fix_project import write_service

MODELS = """
    from sqlalchemy import ForeignKey
    from sqlalchemy.orm import DeclarativeBase, DynamicMapped, Mapped, WriteOnlyMapped, mapped_column, relationship


    class Base(DeclarativeBase):
        pass


    class Team(Base):
        __tablename__ = "teams"
        id: Mapped[int] = mapped_column(primary_key=True)
        members: Mapped[list["Member"]] = relationship(back_populates="team")
        badges: Mapped[list["Badge"]] = relationship(lazy="selectin")
        notes: Mapped[list["Note"]] = relationship(lazy="raise")
        drafts: Mapped[list["Note"]] = relationship(lazy="noload", viewonly=True)
        archive: DynamicMapped["Note"] = relationship(viewonly=True)
        log: WriteOnlyMapped["Note"] = relationship(viewonly=True)
        pins: Mapped[list["Note"]] = relationship(lazy="subquery", viewonly=True)
        links: Mapped[list["Note"]] = relationship(lazy="joined", viewonly=True)
        tags: Mapped[list["Note"]] = relationship(lazy="immediate", viewonly=True)


    class Member(Base):
        __tablename__ = "members"
        id: Mapped[int] = mapped_column(primary_key=True)
        team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
        mentor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
        team: Mapped[Team] = relationship(back_populates="members")
        mentor: Mapped["Member | None"] = relationship(remote_side="Member.id")
        active_team: Mapped[Team] = relationship(
            primaryjoin="and_(Member.team_id == Team.id, Team.id > 0)", viewonly=True
        )


    class Badge(Base):
        __tablename__ = "badges"
        id: Mapped[int] = mapped_column(primary_key=True)
        team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))


    class Note(Base):
        __tablename__ = "notes"
        id: Mapped[int] = mapped_column(primary_key=True)
        team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
        team: Mapped[Team] = relationship(lazy="raise_on_sql", viewonly=True)


    class Task(Base):
        __tablename__ = "tasks"
        id: Mapped[int] = mapped_column(primary_key=True)
        member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
        reviewer_id: Mapped[int | None] = mapped_column()
        member: Mapped[Member] = relationship()
"""

HEADER = """
    from sqlalchemy import select
    from sqlalchemy.orm import Session, joinedload, raiseload, selectinload

    from app.models import Member, Note, Task, Team


"""


def project(tmp_path: Path, body: str) -> Path:
    return write_service(tmp_path, MODELS, HEADER, body)


def findings(service: Path, rule: str = "lazy-load-in-loop"):
    return [f for f in scan_source(service, service.read_text()) if f.rule == rule]


@pytest.mark.parametrize(
    "body",
    [
        # the mapper loads badges eagerly
        "def f(session: Session):\n    return [len(t.badges) for t in session.scalars(select(Team)).all()]\n",
        # options n1fix cannot read may load anything
        "def f(session: Session, opts):\n    return [len(t.members) for t in session.scalars(select(Team).options(*opts)).all()]\n",
        # a wildcard loads every relationship of the rows
        "def f(session: Session):\n    return [len(t.members) for t in session.scalars(select(Team).options(selectinload('*'))).all()]\n",
        # the rows come from a parameter: they may have been loaded eagerly by the caller
        "def f(teams: list[Team]):\n    return [len(t.members) for t in teams]\n",
        # a nested path already loaded by one chained option
        "def f(session: Session):\n"
        "    teams = session.scalars(select(Team).options(selectinload(Team.members).joinedload(Member.mentor))).all()\n"
        "    return [[m.mentor for m in t.members] for t in teams]\n",
    ],
)
def test_not_reported(tmp_path, body):
    assert findings(project(tmp_path, body)) == []


@pytest.mark.parametrize(
    "body",
    [
        # lazy="raise" / "raise_on_sql": no query runs (it raises, or the identity map answers)
        "def f(session: Session):\n    return [len(t.notes) for t in session.scalars(select(Team)).all()]\n",
        "def f(session: Session):\n    return [n.team for n in session.scalars(select(Note)).all()]\n",
        # raiseload on the query: the same
        "def f(session: Session):\n    return [len(t.members) for t in session.scalars(select(Team).options(raiseload('*'))).all()]\n",
        # lazy="noload": never loaded; dynamic and write_only: queries, not loads
        "def f(session: Session):\n    return [len(t.drafts) for t in session.scalars(select(Team)).all()]\n",
        "def f(session: Session):\n    return [t.archive.count() for t in session.scalars(select(Team)).all()]\n",
        "def f(session: Session):\n    return [t.log for t in session.scalars(select(Team)).all()]\n",
        # loaded by the mapper: subquery, joined, immediate
        "def f(session: Session):\n    return [(len(t.pins), len(t.links), len(t.tags)) for t in session.scalars(select(Team)).all()]\n",
    ],
)
def test_no_query_per_item_is_not_reported(tmp_path, body):
    assert findings(project(tmp_path, body)) == []


def test_targets_loaded_earlier_in_the_function_are_not_reported(tmp_path):
    """The members' teams are the teams loaded first: each lazy load by primary key is
    answered by the identity map, and selectinload would add a statement."""
    service = project(
        tmp_path,
        "def f(session: Session, ids: list[int]):\n"
        "    teams = session.scalars(select(Team).where(Team.id.in_(ids))).all()\n"
        "    members = session.scalars(select(Member).where(Member.team_id.in_([t.id for t in teams]))).all()\n"
        "    return [m.team for m in members]\n",
    )
    assert findings(service) == []


@pytest.mark.parametrize(
    "keys",
    [
        "ids",  # keys from outside: the teams are not loaded
        "[t.id for t in session.scalars(select(Team).where(Team.id.in_(ids)))]",  # rows not held: the identity map may drop them
    ],
)
def test_targets_not_shown_loaded_are_reported(tmp_path, keys):
    service = project(
        tmp_path,
        "def f(session: Session, ids: list[int]):\n"
        f"    members = session.scalars(select(Member).where(Member.team_id.in_({keys}))).all()\n"
        "    return [m.team for m in members]\n",
    )
    assert [f.message.split("`")[1] for f in findings(service)] == ["m.team"]


def test_a_loop_that_commits_per_item_is_reported_without_a_fix(tmp_path):
    service = project(
        tmp_path,
        "def f(session: Session):\n"
        "    for t in session.scalars(select(Team)).all():\n"
        "        t.size = len(t.members)\n"
        "        session.commit()\n",
    )
    [finding] = findings(service)
    assert finding.applicability.value == "none"
    assert (
        "`session.commit()` in the loop expires every loaded object" in finding.fix_note
    )


def test_a_prefix_loaded_by_the_mapper_gets_defaultload(tmp_path):
    service = project(
        tmp_path,
        "def f(session: Session):\n"
        "    members = session.scalars(select(Member)).all()\n"
        "    return [m.mentor.team for m in members]\n",
    )
    outcome = fix_source(service, service.read_text())
    assert (
        ".options(selectinload(Member.mentor).selectinload(Member.team))"
        in outcome.text
    )


def test_options_one_a_line_keep_their_layout(tmp_path):
    service = project(
        tmp_path,
        """\
        def f(session: Session):
            teams = session.scalars(
                select(Team)
                .options(
                    selectinload(Team.badges),
                )
                .order_by(Team.id)
            ).all()
            return [len(t.members) for t in teams]
        """,
    )
    outcome = fix_source(service, service.read_text())
    assert (
        "        .options(\n            selectinload(Team.badges),\n            selectinload(Team.members),\n        )\n"
        in outcome.text
    )


def test_flask_sqlalchemy_model_query(tmp_path):
    service = project(
        tmp_path,
        "def f():\n    teams = Team.query.filter(Team.id > 0).all()\n    return [len(t.members) for t in teams]\n",
    )
    outcome = fix_source(service, service.read_text())
    assert (
        "teams = Team.query.options(selectinload(Team.members)).filter(Team.id > 0).all()"
        in outcome.text
    )


def test_a_deeper_model_is_named_as_the_module_imports_it(tmp_path):
    service = project(
        tmp_path,
        "from app import models\n\n\n"
        "def f(session: Session, Team=models.Team):\n"
        "    teams = session.scalars(select(models.Team)).all()\n"
        "    return [[m.mentor for m in t.members] for t in teams]\n",
    )
    messages = {f.message.split("`")[1]: f for f in findings(service)}
    assert messages["t.members"].applicability.value == "safe"
    # the rows' model is spelled as the query spells it, the deeper one as the module imports it
    assert (
        "selectinload(models.Team.members).selectinload(Member.mentor)"
        in messages["m.mentor"].message
    )


@pytest.mark.parametrize(
    "body,applicability",
    [
        (
            "def f(session: Session, member_id: int):\n    return session.get(Member, member_id).team.id\n",
            None,
        ),
        (
            "def f(session: Session, member_id: int):\n    m = session.get(Member, member_id)\n    return m.team.id\n",
            "safe",
        ),
        # nullable foreign key
        (
            "def f(session: Session, member_id: int):\n    m = session.get(Member, member_id)\n    return m.mentor.id\n",
            "unsafe",
        ),
        # a custom join condition
        (
            "def f(session: Session, member_id: int):\n    m = session.get(Member, member_id)\n    return m.active_team.id\n",
            "unsafe",
        ),
        # the column assigned in the function
        (
            "def f(session: Session, member_id: int):\n    m = session.get(Member, member_id)\n    m.team_id = 3\n    return m.team.id\n",
            "unsafe",
        ),
        # an object built here with the relationship: its key is None until a flush
        (
            "def f(session: Session, team: Team):\n    m = Member(team=team)\n    session.add(m)\n    return m.team.id\n",
            "unsafe",
        ),
        # not the primary key
        (
            "def f(session: Session, member_id: int):\n    m = session.get(Member, member_id)\n    return m.team.members\n",
            None,
        ),
        # written to, not read
        (
            "def f(session: Session, member_id: int):\n    m = session.get(Member, member_id)\n    m.team.id = 4\n",
            None,
        ),
    ],
)
def test_related_key_applicability(tmp_path, body, applicability):
    service = project(tmp_path, body)
    got = [
        f.applicability.value for f in findings(service, "related-key-via-relationship")
    ]
    assert got == ([applicability] if applicability else [])


def test_rows_returned_by_a_function_of_the_module_get_the_option_there_as_an_unsafe_fix(
    tmp_path,
):
    service = project(
        tmp_path,
        """\
        class TeamsService:
            def __init__(self, session: Session):
                self.session = session

            def _teams(self):
                return self.session.scalars(select(Team).order_by(Team.id)).all()

            def sizes(self):
                return {team.id: len(team.members) for team in self._teams()}
        """,
    )
    [finding] = findings(service)
    assert finding.applicability.value == "unsafe" and "_teams()" in finding.fix_note
    outcome = fix_source(service, service.read_text(), unsafe_fixes=True)
    assert (
        "        return self.session.scalars(\n"
        "            select(Team).options(selectinload(Team.members)).order_by(Team.id)\n"
        "        ).all()\n"
    ) in outcome.text


def test_rows_from_a_function_n1fix_cannot_follow_are_not_reported(tmp_path):
    service = project(
        tmp_path,
        "from app.repo import teams_of\n\n\ndef f(session: Session):\n    return [len(t.members) for t in teams_of(session)]\n",
    )
    assert findings(service) == []


def test_related_key_through_self_has_no_fix_and_says_the_class_sets_the_relationship(
    tmp_path,
):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '0'\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    models = textwrap.dedent(MODELS) + textwrap.dedent(
        """

        class Invite(Base):
            __tablename__ = "invites"
            id: Mapped[int] = mapped_column(primary_key=True)
            team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
            team: Mapped[Team] = relationship()

            def __init__(self, team):
                self.team = team
                self.code = self.make_code()

            def make_code(self):
                return f"{self.team.id}-invite"
        """
    )
    (tmp_path / "app" / "models.py").write_text(models)
    path = tmp_path / "app" / "models.py"
    [finding] = [
        f for f in scan_source(path, models) if f.rule == "related-key-via-relationship"
    ]
    assert (
        finding.applicability.value == "none"
        and "the class assigns `.team`" in finding.fix_note
    )


def test_rows_through_enumerate_and_sorted(tmp_path):
    service = project(
        tmp_path,
        "def f(session: Session):\n"
        "    teams = session.scalars(select(Team)).all()\n"
        "    ranked = [(i, len(t.members)) for i, t in enumerate(teams)]\n"
        "    return ranked, [t.id for t in sorted(teams, key=lambda t: len(t.members))]\n",
    )
    got = findings(service)
    # the lambda's read is not per item of a loop n1fix follows; enumerate's is
    assert [f.line for f in got] == [10]


@pytest.mark.parametrize(
    "body,applicability,why",
    [
        # rows of a query in the function: persistent, their foreign keys hold the ids
        (
            "def f(session: Session):\n    return [m.team.id for m in session.scalars(select(Member)).all()]\n",
            "safe",
            None,
        ),
        (
            "def f(session: Session):\n    members = session.scalars(select(Member)).all()\n"
            "    return {m.id: m.team.id for m in members}\n",
            "safe",
            None,
        ),
        # a comprehension's own `m` does not rebind the function's
        (
            "def f(session: Session, ids: list[int]):\n    keys = [m.id for m in session.scalars(select(Member)).all()]\n"
            "    m = session.get(Member, ids[0])\n    return keys, m.team.id\n",
            "safe",
            None,
        ),
        # passed in: the caller may have built it with `team=` and not flushed it
        ("def f(member: Member):\n    return member.team.id\n", "unsafe", "passed in"),
        (
            "def f(members: list[Member]):\n    return [m.team.id for m in members]\n",
            "unsafe",
            "cannot show holds rows loaded",
        ),
        # items of a relationship collection: may hold objects appended and not flushed
        (
            "def f(session: Session, team_id: int):\n    team = session.get(Team, team_id)\n"
            "    return [m.mentor_id and m.team.id for m in team.members]\n",
            "unsafe",
            "cannot show holds rows loaded",
        ),
        # built here (with the column, not the relationship): not shown to be flushed
        (
            "def f(session: Session):\n    m = Member(team_id=3)\n    session.add(m)\n    return m.team.id\n",
            "unsafe",
            "cannot show that `m` was loaded",
        ),
    ],
)
def test_related_key_is_safe_only_on_rows_loaded_in_the_function(
    tmp_path, body, applicability, why
):
    service = project(tmp_path, body)
    [finding] = findings(service, "related-key-via-relationship")
    assert finding.applicability.value == applicability
    if why is not None:
        assert why in finding.fix_note


@pytest.mark.parametrize(
    "body,reported",
    [
        # the row is read anyway, before, beside or after the key: the column saves nothing
        (
            "def f(session: Session, member_id: int):\n    m = session.get(Member, member_id)\n    return m.team.id, m.team.members\n",
            False,
        ),
        (
            "def f(session: Session, member_id: int):\n    m = session.get(Member, member_id)\n    if m.team:\n        return m.team.id\n",
            False,
        ),
        (
            "def f(session: Session):\n    keys = []\n    for m in session.scalars(select(Member)).all():\n"
            "        keys.append(m.team.id)\n        print(m.team.members)\n    return keys\n",
            False,
        ),
        (
            "def f(session: Session, member_id: int):\n    m = session.get(Member, member_id)\n    return m.team and m.team.id\n",
            False,
        ),
        (
            "def f(session: Session):\n    return [(m.team.id, len(m.team.members)) for m in session.scalars(select(Member)).all()]\n",
            False,
        ),
        # the key only loads the same row again: by the column, the query just moves
        (
            "def f(session: Session, member_id: int):\n    m = session.get(Member, member_id)\n    return session.get(Team, m.team.id)\n",
            False,
        ),
        (
            "def f(session: Session, member_id: int):\n    m = session.get(Member, member_id)\n    return session.query(Team).get(m.team.id)\n",
            False,
        ),
        # the other read runs only sometimes: the column still saves the load otherwise
        (
            "def f(session: Session, member_id: int, verbose: bool):\n    m = session.get(Member, member_id)\n"
            "    if verbose:\n        print(m.team.members)\n    return m.team.id\n",
            True,
        ),
        (
            "def f(session: Session, member_id: int):\n    m = session.get(Member, member_id)\n    return m.mentor_id or m.team.members, m.team.id\n",
            True,
        ),
        # the other read comes after a return that may leave first
        (
            "def f(session: Session, member_id: int, short: bool):\n    m = session.get(Member, member_id)\n"
            "    if short:\n        return m.team.id\n    return m.team.members\n",
            True,
        ),
        # another loop's rows: not the same items
        (
            "def f(session: Session):\n    for m in session.scalars(select(Member)).all():\n        print(m.team.members)\n"
            "    return [m.team.id for m in session.scalars(select(Member)).all()]\n",
            True,
        ),
    ],
)
def test_related_key_is_not_reported_when_the_row_is_read_anyway(
    tmp_path, body, reported
):
    service = project(tmp_path, body)
    got = findings(service, "related-key-via-relationship")
    assert len(got) == (1 if reported else 0)


def test_a_loop_that_may_commit_per_item_gets_an_unsafe_fix(tmp_path):
    service = project(
        tmp_path,
        "def f(session: Session):\n"
        "    for t in session.scalars(select(Team)).all():\n"
        "        t.size = len(t.members)\n"
        "        t.save()\n",
    )
    [finding] = findings(service)
    assert finding.applicability.value == "unsafe"
    assert "`t.save()`, which may commit" in finding.fix_note


@pytest.mark.parametrize(
    "body",
    [
        "def test_stage(session: Session, member_id: int):\n    m = session.get(Member, member_id)\n    assert m.team.id == 3\n",
        "def test_stage(self, session: Session, member_id: int):\n    m = session.get(Member, member_id)\n    self.assertEqual(3, m.team.id)\n",
    ],
)
def test_related_key_in_an_assertion_is_not_reported(tmp_path, body):
    """A test asserting `m.team.id` checks the relationship: the column would not."""
    assert findings(project(tmp_path, body), "related-key-via-relationship") == []


def test_a_read_back_to_the_outer_row_is_not_reported_but_another_many_to_one_is(
    tmp_path,
):
    service = project(
        tmp_path,
        "def f(session: Session):\n"
        "    teams = session.scalars(select(Team)).all()\n"
        "    return [[(m.team, m.mentor) for m in t.members] for t in teams]\n",
    )
    # m.team is t itself (Member.team is the partner of Team.members); m.mentor is not
    assert sorted(f.message.split("`")[1] for f in findings(service)) == [
        "m.mentor",
        "t.members",
    ]


def read_paths(service: Path) -> list[str]:
    return sorted(f.message.split("`")[1] for f in findings(service))


@pytest.mark.parametrize(
    "body, reported",
    [
        # the foreign key filtered to one value: every member's team is one Team, loaded once
        (
            "    members = session.scalars(select(Member).where(Member.team_id == team_id)).all()\n",
            [],
        ),
        ("    members = session.query(Member).filter_by(team_id=team_id).all()\n", []),
        # ... also through a list of criteria spread into the filter
        (
            "    criteria = [Member.team_id == team_id, Member.id > 0]\n"
            "    members = session.scalars(select(Member).where(*criteria)).all()\n",
            [],
        ),
        (
            "    criteria = (Member.team_id == team_id,)\n"
            "    members = session.query(Member).filter(Member.id > 0, *criteria).all()\n",
            [],
        ),
        # a list that may change before the query: not shown
        (
            "    criteria = [Member.team_id == team_id]\n"
            "    criteria.clear()\n"
            "    members = session.scalars(select(Member).where(*criteria)).all()\n",
            ["m.team"],
        ),
        # several values, or the key compared with another column: many teams
        (
            "    members = session.scalars(select(Member).where(Member.team_id.in_([team_id, 2]))).all()\n",
            ["m.team"],
        ),
        (
            "    members = session.scalars(select(Member).where(Member.team_id == Member.id)).all()\n",
            ["m.team"],
        ),
        # another model's column of that name filters nothing about the members' teams
        (
            "    members = session.scalars(select(Member).join(Note, Note.id == Member.id).where(Note.team_id == team_id)).all()\n",
            ["m.team"],
        ),
    ],
)
def test_a_foreign_key_filtered_to_one_value_loads_one_target(tmp_path, body, reported):
    service = project(
        tmp_path,
        "def f(session: Session, team_id: int):\n"
        + body
        + "    return [m.team for m in members]\n",
    )
    assert read_paths(service) == reported


@pytest.mark.parametrize(
    "query, reported",
    [
        # joined along `Task.member` and filtered to one team: every task's member has that team
        ("select(Task).join(Member).where(Member.team_id == team_id)", ["t.member"]),
        (
            "select(Task).join(Task.member).where(Member.team_id == team_id)",
            ["t.member"],
        ),
        (
            "session.query(Task).filter(Member.team_id == team_id).join(Member)",
            ["t.member"],
        ),
        # no join: a cross product, not the tasks' members; an ON clause of its own
        (
            "select(Task).where(Member.team_id == team_id)",
            ["t.member", "t.member.team"],
        ),
        (
            "select(Task).join(Member, Member.id == Task.reviewer_id).where(Member.team_id == team_id)",
            ["t.member", "t.member.team"],
        ),
    ],
)
def test_a_joined_parent_filtered_to_one_value_loads_one_target(
    tmp_path, query, reported
):
    runs = (
        f"session.scalars({query}).all()"
        if query.startswith("select")
        else f"{query}.all()"
    )
    service = project(
        tmp_path,
        f"def f(session: Session, team_id: int):\n    tasks = {runs}\n    return [t.member.team for t in tasks]\n",
    )
    assert read_paths(service) == reported


@pytest.mark.parametrize(
    "signature, keys, fixable",
    [
        # the keys are the ids of objects the caller passed in: if the session holds them,
        # each m.team is answered by the identity map and the option adds a statement
        ("teams", "[t.id for t in teams]", False),
        ("teams: list[Team]", "(t.id for t in teams)", False),
        ("teams", "keys", False),
        # ... not when the objects are of another model, or the keys are not their ids
        ("teams: list[Note]", "[t.id for t in teams]", True),
        ("teams", "[t.team_id for t in teams]", True),
        ("teams", "[t for t in teams]", True),
    ],
)
def test_targets_passed_in_get_no_fix(tmp_path, signature, keys, fixable):
    service = project(
        tmp_path,
        f"def f(session: Session, {signature}):\n"
        "    keys = [t.id for t in teams]\n"
        f"    members = session.scalars(select(Member).where(Member.team_id.in_({keys}))).all()\n"
        "    return [m.team for m in members]\n",
    )
    (finding,) = findings(service)
    assert finding.fixable is fixable, finding.message
    assert fixable or "objects the caller passed in (`teams`)" in finding.message
