"""The golden corpus: every case's rewrite is checked as text and, where it runs, as a program.

- test_golden_rewrite: the engine's findings and output text match the case exactly, the
  output compiles, and a second pass changes nothing;
- test_golden_runs: before and after give the same result on a real (SQLite) database and
  after makes strictly fewer round trips; a trap's before simply runs;
- test_golden_corpus_is_well_formed: layout, case.toml, and enough runnable cases.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass

import pytest
from golden_support import (
    GOLDEN_ROOT,
    RoundTripCounter,
    case_dirs,
    discover_cases,
    ensure_golden_on_path,
    normalize,
    run_scenario,
    run_scenario_detailed,
    validate_case,
)
from sqlalchemy import create_engine, event, text

ensure_golden_on_path()
CASES = discover_cases()
MIN_RUNNABLE = 12


def case_id(case) -> str:
    return case.id


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_golden_runs(case):
    if not case.runs:
        pytest.skip(f"does not run: {case.reason}")
    before, before_trips = run_scenario(case, "before")
    if case.after_path is None:
        return  # a trap: the code stays as it is, and it must at least run
    after_result, after_counter = run_scenario_detailed(case, "after")
    assert after_result == before, "after.py changes the result"
    assert after_counter.count < before_trips, (
        f"after.py makes {after_counter.count} round trips, before.py {before_trips}:\n"
        + "\n".join(after_counter.statements)
    )


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_golden_rewrite(case):
    # Deliberately not importorskip: while the engine is missing, this must fail.
    from n1fix.engine.api import fix_source

    before_text = case.before_path.read_text(encoding="utf-8")
    outcome = fix_source(case.before_path, before_text, unsafe_fixes=case.unsafe_fixes)

    got = sorted((f.rule, f.line, f.applicability.value) for f in outcome.findings)
    expected = sorted(f.as_tuple() for f in case.findings)
    assert got == expected, "findings (rule, line, applicability) differ from case.toml"

    expected_text = case.expected_text()
    if outcome.text != expected_text:
        what = "after.py" if case.after_path else "before.py (a trap must come out unchanged)"
        failures = getattr(outcome, "failures", None)  # fixes the engine tried and dropped
        notes = "\n".join(["fix failures reported by the engine:", *map(str, failures)]) if failures else ""
        pytest.fail(f"output differs from {what}:\n" + text_diff(expected_text, outcome.text) + notes)
    compile(outcome.text, str(case.after_path or case.before_path), "exec")

    again = fix_source(case.before_path, outcome.text, unsafe_fixes=case.unsafe_fixes)
    if again.text != outcome.text:
        pytest.fail("a second run changes the output again:\n" + text_diff(outcome.text, again.text))


def text_diff(expected: str, got: str) -> str:
    return "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True), got.splitlines(keepends=True), "expected", "got"
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
        row = session.execute(select(Project.id, Project.name).where(Project.id == 2)).one()
        assert normalize(project) == ("Project", 2)
        assert normalize(row) == (2, "Logo ideas")
        assert normalize(Card(project, 3)) == ("Card", (("project", ("Project", 2)), ("count", 3)))
        assert normalize({"p": [project, None]}) == {"p": [("Project", 2), None]}


def test_round_trip_counter_counts_executemany_once():
    engine = create_engine("sqlite://")
    counter = RoundTripCounter()
    event.listen(engine, "before_cursor_execute", counter)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        counter.active = True
        conn.execute(text("INSERT INTO t (x) VALUES (:x)"), [{"x": i} for i in range(50)])
        conn.execute(text("SELECT count(*) FROM t")).scalar_one()
        counter.active = False
    assert counter.count == 2
