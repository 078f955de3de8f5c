"""The golden corpus: every case's rewrite is checked as text and, where it runs, as a program.

- test_golden_rewrite: the engine's findings and output text match the case exactly, the
  output compiles, and a second pass changes nothing;
- test_golden_runs: before and after give the same result on a real database and after
  makes strictly fewer round trips (a `measure = "rows"` case, a filter moved into the
  WHERE: as many or fewer, and strictly fewer rows loaded; a `concurrent` case, a gather, as many: that they
  overlap is test_gather_concurrency's job); a trap's before simply runs. A case's
  rejected.py (the rewrite n1fix must not make) is run to show it is no fix: it changes
  the result, or it saves no round trip over what n1fix leaves (before.py for a trap,
  else after.py). Each case runs on SQLite
  and, where the machine has the server binaries, on a throwaway PostgreSQL cluster
  (see conftest.py); without them the PostgreSQL runs are skipped;
- test_golden_empty_input_costs_no_more: a scenario's `run_empty` (the code called with
  nothing to batch) gives the same result after, in no more round trips;
- test_golden_corpus_is_well_formed: layout, case.toml, and enough runnable cases.

A case across files (`before/` and `after/` trees, see golden_trees.py) is fixed as a user
would: n1fix named on its entry file only, the callee's file edited through the fix. A
case whose `case.toml` has `known_gap` expects the output to differ from its hand-written
after (an xfail saying why); once n1fix writes the after, the test fails until the key goes.
A case whose `case.toml` has `pending` names a rewrite not built yet: its rewrite test is a
strict xfail, while its runs must pass already (they prove the hand-written after).

A case with `orm = "django"` runs on Django's ORM against the golden tree's Django apps
(golden_django.py); the checks are the same.
"""

from __future__ import annotations

import difflib
import gc
import traceback
import warnings
from collections import defaultdict
from dataclasses import dataclass

import pytest
from golden_support import (
    EMPTY_RUN,
    GOLDEN_ROOT,
    RoundTripCounter,
    SQLiteBackend,
    case_dirs,
    database_state,
    discover_cases,
    ensure_golden_on_path,
    normalize,
    run_scenario,
    run_scenario_detailed,
    validate_case,
)
from golden_sync_twin import run_sync_twin
from golden_trees import expected_tree, rewrite_tree, seed_package
from sqlalchemy import create_engine, event, text

ensure_golden_on_path()
CASES = discover_cases()
MIN_RUNNABLE = 12
GOLDEN_BACKENDS = ("sqlite", "postgresql")


def case_id(case) -> str:
    return case.id


def golden_backend(request: pytest.FixtureRequest, name: str):
    """SQLite always; PostgreSQL from the session's cluster (conftest.py), which skips the
    test when the machine has no server binaries. Asked for inside the test, after the
    check that the case runs at all, so a case that never runs does not start a server."""
    if name == "sqlite":
        return SQLiteBackend()
    if name == "postgresql":
        return request.getfixturevalue("postgres_server")
    raise ValueError(f"unknown golden backend {name!r}")


@pytest.mark.parametrize("case", CASES, ids=case_id)
@pytest.mark.parametrize("backend_name", GOLDEN_BACKENDS)
def test_golden_runs(case, backend_name, request):
    if not case.runs:
        pytest.skip(f"does not run: {case.reason}")
    check_runs(case, golden_backend(request, backend_name))


def check_runs(case, backend):
    """Before and after give the same result, and after makes fewer round trips (see
    the module's docstring for the kinds of case); a trap's before simply runs."""
    before_counter = None
    if case.before_raises:
        before, before_trips = before_of_failing_case(case, backend)
    else:
        before, before_counter = run_scenario_detailed(case, "before", backend)
        before_trips = before_counter.count
    if case.after_path is None:
        if case.rejected is not None:
            check_rejected(case, backend, before, before_trips, "before.py")
        return  # a trap: the code stays as it is, and it must at least run
    after_result, after_counter = run_scenario_detailed(case, "after", backend)
    assert after_result == before, f"after.py changes the result on {backend.name}"
    if case.rejected is not None:
        check_rejected(case, backend, before, after_counter.count, "after.py")
    if (
        case.measure == "rows"
    ):  # filter-in-python: one query either way, fewer rows loaded
        assert before_counter is not None, "a rows case compares the before's own run"
        assert after_counter.count <= before_counter.count, (
            f"after.py makes {after_counter.count} round trips, before.py {before_counter.count}"
        )
        assert after_counter.rows < before_counter.rows, (
            f"after.py loads {after_counter.rows} rows on {backend.name}, before.py {before_counter.rows}"
        )
        return
    if case.measure == "results":  # a fix for safety, not speed: no more round trips
        assert after_counter.count <= before_trips, (
            f"after.py makes {after_counter.count} round trips, before.py {before_trips}"
        )
        return
    if (
        case.concurrent
    ):  # a gather: the same statements, run together (test_gather_concurrency)
        assert after_counter.count == before_trips, (
            f"after.py makes {after_counter.count} round trips, before.py {before_trips}"
        )
        return
    assert after_counter.count < before_trips, (
        f"after.py makes {after_counter.count} round trips on {backend.name}, "
        f"before.py {before_trips}:\n" + "\n".join(after_counter.statements)
    )


def check_rejected(case, backend, before, trips, baseline):
    """A case's rejected.py, the rewrite n1fix must not make, is shown to be no fix: it
    changes the result, or it gives the same result in no fewer round trips than the
    code n1fix leaves (`baseline`: before.py for a trap, else after.py, making `trips`)."""
    rejected, counter = run_scenario_detailed(case, "rejected", backend)
    if case.rejected == "changes_result":
        assert rejected != before, (
            f"rejected.py gives the same result as before.py on {backend.name}: why reject it?"
        )
        return
    assert rejected == before, f"rejected.py changes the result on {backend.name}"
    assert counter.count >= trips, (
        f"rejected.py makes {counter.count} round trips on {backend.name}, {baseline} {trips}: it is a fix\n"
        + "\n".join(counter.statements)
    )


EMPTY_CASES = [case for case in CASES if case.runs and case.runs_empty]


@pytest.mark.parametrize("case", EMPTY_CASES, ids=case_id)
@pytest.mark.parametrize("backend_name", GOLDEN_BACKENDS)
def test_golden_empty_input_costs_no_more(case, backend_name, request):
    """With nothing to batch, the after gives the same result in no more round trips:
    a batched query for no keys is skipped, not sent."""
    backend = golden_backend(request, backend_name)
    before, before_counter = run_scenario_detailed(
        case, "before", backend, entry=EMPTY_RUN
    )
    if case.after_path is None:
        return
    after, after_counter = run_scenario_detailed(
        case, "after", backend, entry=EMPTY_RUN
    )
    assert after == before, (
        f"after.py changes the result for empty input on {backend.name}"
    )
    assert after_counter.count <= before_counter.count, (
        f"for empty input after.py makes {after_counter.count} round trips on {backend.name}, "
        f"before.py {before_counter.count}:\n" + "\n".join(after_counter.statements)
    )


def before_of_failing_case(case, backend):
    """A before that fails today (`[run] before_raises`, an async lazy load): check that it
    raises that exception, and compare the after with the same code under a sync Session."""
    with warnings.catch_warnings():
        # SQLAlchemy's asyncio adapter asks aiosqlite for a cursor (a coroutine) and only
        # then finds no greenlet to await it in: the MissingGreenlet this case expects
        # leaves that coroutine unawaited, and Python warns when it is collected. The
        # failure is the case's own, provoked on purpose; the leak is the library's. So
        # the warning is dropped here, and the failed run's frames (which hold the
        # coroutine) are let go while the filter is on, not in some later test.
        warnings.filterwarnings(
            "ignore", "coroutine 'Connection.cursor' was never awaited", RuntimeWarning
        )
        with pytest.raises(Exception) as raised:
            run_scenario(case, "before", backend)
        # SQLAlchemy may wrap it (a StatementError whose `orig` is the MissingGreenlet)
        chain, error = [], raised.value
        while error is not None and error not in chain:
            chain.append(error)
            error = getattr(error, "orig", None) or error.__cause__ or error.__context__
        names = {cls.__name__ for error in chain for cls in type(error).__mro__}
        raised_names = [type(e).__name__ for e in chain]
        for error in chain:
            traceback.clear_frames(error.__traceback__)
        del raised, chain, error
        gc.collect()
    assert case.before_raises in names, (
        f"before.py raised {raised_names}, not {case.before_raises}"
    )
    outcome, counter = run_sync_twin(case, backend)
    return outcome, counter.count


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_golden_rewrite(case, request):
    # Deliberately not importorskip: while the engine is missing, this must fail.
    from n1fix.engine.api import fix_source

    if case.pending:
        # strict: the moment n1fix writes the after, the case must lose `pending`
        request.applymarker(
            pytest.mark.xfail(reason=f"pending: {case.pending}", strict=True)
        )

    if case.is_tree:
        check_tree_rewrite(case)
        return
    before_text = case.before_path.read_text(encoding="utf-8")
    outcome = fix_source(case.before_path, before_text, unsafe_fixes=case.unsafe_fixes)

    got = sorted((f.rule, f.line, f.applicability.value) for f in outcome.findings)
    expected = sorted(f.as_tuple() for f in case.findings)
    assert got == expected, "findings (rule, line, applicability) differ from case.toml"

    expected_text = case.expected_text()
    if outcome.text != expected_text:
        what = (
            "after.py"
            if case.after_path
            else "before.py (a trap must come out unchanged)"
        )
        failures = getattr(
            outcome, "failures", None
        )  # fixes the engine tried and dropped
        notes = (
            "\n".join(["fix failures reported by the engine:", *map(str, failures)])
            if failures
            else ""
        )
        differs(
            case,
            f"output differs from {what}:\n"
            + text_diff(expected_text, outcome.text)
            + notes,
        )
    known_gap_closed(case)
    compile(outcome.text, str(case.after_path or case.before_path), "exec")

    again = fix_source(case.before_path, outcome.text, unsafe_fixes=case.unsafe_fixes)
    if again.text != outcome.text:
        pytest.fail(
            "a second run changes the output again:\n"
            + text_diff(outcome.text, again.text)
        )


def check_tree_rewrite(case):
    """A case across files: n1fix run on the entry file edits the tree into after/."""
    outcome = rewrite_tree(
        case.path, case.entry, seed_package(case), unsafe_fixes=case.unsafe_fixes
    )
    expected = sorted((f.path, f.rule, f.line, f.applicability) for f in case.findings)
    assert outcome.findings == expected, (
        "findings (path, rule, line, applicability) differ from case.toml"
    )
    assert not outcome.errors, "\n".join(outcome.errors)
    assert not outcome.outside, (
        f"the fix changed files outside the tree: {outcome.outside}"
    )
    wrong = []
    for rel, want in expected_tree(case.path).items():
        got = outcome.texts[rel]
        if got != want:
            what = (
                f"after/{rel}"
                if (case.path / "after" / rel).exists()
                else f"before/{rel} (unchanged)"
            )
            wrong.append(f"{rel} differs from {what}:\n" + text_diff(want, got))
        elif rel.endswith(".py"):
            compile(got, rel, "exec")
    if wrong:
        notes = (
            "\n".join(["fix failures reported by the engine:", *outcome.failures])
            if outcome.failures
            else ""
        )
        differs(case, "\n".join(wrong) + notes)
    known_gap_closed(case)
    # The caller's change names the batch method the other file's change adds: one change.
    assert not outcome.unrequired, (
        f"{case.entry}'s change does not require {outcome.unrequired}"
    )
    assert not outcome.again, f"a second run changes {outcome.again} again"


def differs(case, report: str):
    """The output is not the hand-written after: a failure, or the case's known gap."""
    if case.known_gap:
        pytest.xfail(f"known gap: {case.known_gap}")
    pytest.fail(report)


def known_gap_closed(case):
    if case.known_gap:
        pytest.fail(
            f"n1fix now writes the hand-written after: drop `known_gap` from {case.path / 'case.toml'}"
        )


def text_diff(expected: str, got: str) -> str:
    return "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            got.splitlines(keepends=True),
            "expected",
            "got",
        )
    )


def test_golden_corpus_is_well_formed():
    dirs = case_dirs()
    assert dirs, f"no golden cases under {GOLDEN_ROOT}"
    problems = [problem for case_dir in dirs for problem in validate_case(case_dir)]
    assert not problems, "\n".join(problems)
    assert len(CASES) == len(dirs)
    runnable = [case for case in CASES if case.runs]
    assert len(runnable) >= MIN_RUNNABLE, f"only {len(runnable)} cases run"
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))


# ------------------------------------------------------------------ the harness itself


def test_normalize_defaultdict_compares_like_dict():
    grouped = defaultdict(list)
    grouped[1].append("a")
    assert normalize(grouped) == normalize({1: ["a"]})
    assert normalize(grouped) != normalize({1: ("a",)})


def test_normalize_refuses_iterators():
    with pytest.raises(TypeError):
        normalize(iter([1, 2]))
    with pytest.raises(TypeError):
        normalize(x for x in [1])


def test_normalize_orm_instances_rows_and_dataclasses():
    from renderapp.models import Base, Project
    from renderapp.seed import seed
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    @dataclass
    class Card:
        project: Project
        count: int

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        seed(session)
        project = session.get(Project, 2)
        row = session.execute(
            select(Project.id, Project.name).where(Project.id == 2)
        ).one()
        assert normalize(project) == ("Project", 2)
        assert normalize(row) == (2, "Logo ideas")
        assert normalize(Card(project, 3)) == (
            "Card",
            (("project", ("Project", 2)), ("count", 3)),
        )
        assert normalize({"p": [project, None]}) == {"p": [("Project", 2), None]}


def test_postgres_server_listens_on_its_unix_socket_only(postgres_server):
    with postgres_server.admin().connect() as conn:
        assert conn.execute(text("SHOW listen_addresses")).scalar_one() == ""
        assert conn.execute(text("SELECT inet_server_addr()")).scalar_one() is None


def test_postgres_runs_get_fresh_schemas_with_sequences_past_the_seed(postgres_server):
    from renderapp.models import Base, GalleryItem
    from renderapp.seed import at, seed
    from sqlalchemy.orm import Session

    seen = []
    for _ in range(2):  # the second seed would hit duplicate keys in a reused schema
        with postgres_server.database() as target:
            engine = create_engine(
                target.sync_url, connect_args=dict(target.connect_args)
            )
            try:
                Base.metadata.create_all(engine)
                with Session(engine) as session:
                    seed(session)
                    target.after_seed(session.connection(), Base.metadata)
                    # the seed's gallery items are 1-8: a new one must not collide with them
                    item = GalleryItem(render_id=1, title="new", published_at=at(0))
                    session.add(item)
                    session.flush()
                    seen.append(item.id)
            finally:
                engine.dispose()
    assert seen == [9, 9]


@pytest.mark.parametrize("backend_name", GOLDEN_BACKENDS)
def test_seeded_runs_get_fresh_copies_of_the_seed_with_sequences_past_it(
    backend_name, request
):
    """Each run's database is a copy of the seeded template: the seed's rows are there, a
    new row gets the next id, and what one run wrote is gone in the next."""
    from renderapp.models import GalleryItem
    from renderapp.seed import at
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    backend = golden_backend(request, backend_name)
    seen = []
    for _ in range(2):
        with backend.seeded("renderapp") as target:
            assert target.seeded
            engine = create_engine(
                target.sync_url, connect_args=dict(target.connect_args)
            )
            try:
                with Session(engine) as session:
                    assert (
                        session.scalar(select(func.count()).select_from(GalleryItem))
                        == 8
                    )
                    item = GalleryItem(render_id=1, title="new", published_at=at(0))
                    session.add(item)
                    session.commit()
                    seen.append(item.id)
            finally:
                engine.dispose()
    assert seen == [9, 9]


def test_round_trip_counter_counts_executemany_once():
    engine = create_engine("sqlite://")
    counter = RoundTripCounter()
    event.listen(engine, "before_cursor_execute", counter)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        counter.active = True
        conn.execute(
            text("INSERT INTO t (x) VALUES (:x)"), [{"x": i} for i in range(50)]
        )
        conn.execute(text("SELECT count(*) FROM t")).scalar_one()
        counter.active = False
    assert counter.count == 2


def test_database_state_sees_the_runs_own_writes_in_key_order():
    from renderapp.models import Base, GalleryItem, Render
    from renderapp.seed import at, seed
    from sqlalchemy import update
    from sqlalchemy.orm import Session

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        seed(session)
        before = database_state(session, Base.metadata)
        session.execute(update(Render).where(Render.id == 12).values(status="queued"))
        session.add(
            GalleryItem(id=0, render_id=2, title="new", published_at=at(0))
        )  # pending: flushed first
        after = database_state(session, Base.metadata)
    assert set(after) == {table.name for table in Base.metadata.sorted_tables}
    assert [row[0] for row in after["gallery_items"]] == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    changed = [row for row in after["renders"] if row not in before["renders"]]
    assert [(row[0], row[8]) for row in changed] == [(12, "queued")]


@pytest.mark.parametrize(
    "run_table,with_rejected,problem",
    [
        ('runs = true\nrejected = "no_fewer_round_trips"\n', True, None),
        ('runs = true\nrejected = "no_fewer_round_trips"\n', False, "go together"),
        ("runs = true\n", True, "go together"),
        ('runs = true\nrejected = "slower"\n', True, "`rejected` is one of"),
        (
            'runs = false\nreason = "x"\nrejected = "changes_result"\n',
            True,
            "proves nothing unless the case runs",
        ),
    ],
)
def test_a_rejected_rewrite_is_declared_with_its_reason(
    tmp_path, run_table, with_rejected, problem
):
    case = tmp_path / "some_rule" / "trap_case"
    case.mkdir(parents=True)
    (case / "before.py").write_text("x = 1\n")
    (case / "scenario.py").write_text(
        "def run(module, session):\n    return module.x\n"
    )
    (case / "case.toml").write_text(
        f'description = "d"\nfindings = []\n\n[run]\n{run_table}'
    )
    if with_rejected:
        (case / "rejected.py").write_text("x = 2\n")
    problems = validate_case(case)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems
