"""The results cache: a cache file shipped in a scanned repository runs no code, a broken
one is a cold start, the cached records come back as the same objects, and a warm scan
parses nothing."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
from pathlib import Path

import pytest
from n1fix_project import MODELS, make_project, n1fix

import n1fix.engine.runner as runner
from n1fix import __version__
from n1fix.config import Config
from n1fix.engine.cache import CACHE_DIR, FORMAT, code_fingerprint
from n1fix.engine.cache_codec import Malformed, decoder, encoder
from n1fix.engine.discovery import discover
from n1fix.engine.survey import Survey, survey_file
from n1fix.rules import all_rules
from n1fix.rules.base import Applicability, Finding, Severity

REPO = Path(__file__).resolve().parent.parent


class _RunsCode:
    """Unpickling this creates `marker` (what a hostile cache would do, harmlessly)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj")


def _cache_file(project: Path) -> Path:
    return project / CACHE_DIR / f"results-{__version__}.json"


def test_a_crafted_pickle_in_the_old_place_runs_no_code(
    project: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "code-ran"
    cache_dir = project / CACHE_DIR
    cache_dir.mkdir()
    payload = pickle.dumps({"version": __version__, "surveys": _RunsCode(marker)})
    for name in (f"results-{__version__}.pickle", f"results-{__version__}.json"):
        (cache_dir / name).write_bytes(payload)
    run = n1fix("scan", "app", cwd=project)
    assert not marker.exists()
    assert run.code == 1 and "query-in-loop" in run.out, run
    assert run.err == ""


def _header(**fields) -> dict:
    return {
        "format": FORMAT,
        "version": __version__,
        "code": code_fingerprint(),
        **fields,
    }


@pytest.mark.parametrize(
    "entry",
    [
        ["os.system", "mkdir code-ran"],  # a class the cache does not know
        {"__reduce__": ["os.mkdir", ["code-ran"]]},
        ["Survey", "not", "enough", "fields"],
        ["Finding"] + [None] * 11,  # a known class in a place that wants another
    ],
)
def test_a_crafted_cache_entry_is_a_miss(project: Path, entry) -> None:
    # Every survey of the project replaced by the crafted entry, under the current keys.
    assert n1fix("scan", "app", cwd=project).code == 1
    cache = _cache_file(project)
    data = json.loads(cache.read_text())
    data["surveys"] = {key: entry for key in data["surveys"]}
    data["findings"] = {key: [entry] for key in data["findings"]}
    cache.write_text(json.dumps(data))
    run = n1fix("scan", "app", "--format", "json", cwd=project)
    assert run.code == 1, run
    assert [f["rule"] for f in json.loads(run.out)["findings"]] == ["query-in-loop"]
    assert run.err == ""
    assert not (project / "code-ran").exists()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x80\x04not json",
        b"[1, 2, 3]",
        b"{" * 100_000,  # deeper than the JSON parser goes
        json.dumps(_header(surveys=[], findings={})).encode(),
        json.dumps(_header(surveys={"a": 1}, findings="x")).encode(),
    ],
)
def test_an_unreadable_cache_is_a_cold_start(project: Path, content: bytes) -> None:
    cache = _cache_file(project)
    cache.parent.mkdir()
    cache.write_bytes(content)
    run = n1fix("scan", "app", cwd=project)
    assert run.code == 1 and run.err == "", run
    assert json.loads(cache.read_text())["format"] == FORMAT  # rewritten whole


def test_a_warm_scan_parses_nothing_and_finds_the_same(
    project: Path, monkeypatch
) -> None:
    calls = {"survey": 0, "check": 0}
    survey, work = runner.survey_file, runner._work

    def counted_survey(*args, **kwargs):
        calls["survey"] += 1
        return survey(*args, **kwargs)

    def counted_work(task):
        calls["check"] += 1
        return work(task)

    monkeypatch.setattr(runner, "survey_file", counted_survey)
    monkeypatch.setattr(runner, "_work", counted_work)
    cold = runner.run([project / "app"], project, Config(), jobs=1)
    assert calls["survey"] >= 3 and calls["check"] >= 1
    calls.update(survey=0, check=0)
    warm = runner.run([project / "app"], project, Config(), jobs=1)
    assert calls == {"survey": 0, "check": 0}
    assert [f.to_json() for f in warm.findings] == [f.to_json() for f in cold.findings]
    assert [(f.fix_note, f.loop_line) for f in warm.findings] == [
        (f.fix_note, f.loop_line) for f in cold.findings
    ]


def test_a_cache_of_the_previous_format_is_a_cold_start(project: Path) -> None:
    cold = n1fix("scan", "app", "--format", "json", cwd=project)
    cache = _cache_file(project)
    data = json.loads(cache.read_text())
    # As format 1 wrote them: a survey's `loop_calls` and `key_reads` where `rule_facts` is now.
    for value in data["surveys"].values():
        value[-3:-2] = [[], []]
    data["format"] = 1
    cache.write_text(json.dumps(data))
    warm = n1fix("scan", "app", "--format", "json", cwd=project)
    assert (warm.code, warm.out, warm.err) == (cold.code, cold.out, "")
    assert json.loads(cache.read_text())["format"] == FORMAT
    # The same records under the current format: each is a miss, not a crash.
    data["format"] = FORMAT
    cache.write_text(json.dumps(data))
    again = n1fix("scan", "app", "--format", "json", cwd=project)
    assert (again.code, again.out, again.err) == (cold.code, cold.out, "")


def test_a_survey_cached_without_a_selected_rules_facts_is_made_again(
    project: Path, monkeypatch
) -> None:
    surveyed: list[Path] = []
    survey = runner.survey_file

    def counted_survey(path, *args, **kwargs):
        surveyed.append(path)
        return survey(path, *args, **kwargs)

    monkeypatch.setattr(runner, "survey_file", counted_survey)
    # write-in-loop gathers no facts: the surveys hold none.
    runner.run([project / "app"], project, Config(select=["write-in-loop"]), jobs=1)
    surveyed.clear()
    default = runner.run([project / "app"], project, Config(), jobs=1)
    assert (
        project / "app" / "service.py" in surveyed
    )  # query-in-loop's facts were missing
    surveyed.clear()
    again = runner.run([project / "app"], project, Config(), jobs=1)
    assert surveyed == []
    cold = runner.run([project / "app"], project, Config(cache=False), jobs=1)
    assert [f.to_json() for f in default.findings] == [
        f.to_json() for f in again.findings
    ]
    assert (
        [f.to_json() for f in default.findings]
        == [f.to_json() for f in cold.findings]
        != []
    )


def test_a_symlinked_cache_directory_is_not_written_through(
    project: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (project / CACHE_DIR).symlink_to(outside)
    run = n1fix("scan", "app", cwd=project)
    assert run.code == 1, run
    assert list(outside.iterdir()) == []
    assert run.err_lines == [
        f"n1fix: warning: {CACHE_DIR} is a symlink; the results cache is not used (remove the link)"
    ]


def test_a_symlinked_gitignore_in_the_cache_is_not_written_through(
    project: Path, tmp_path: Path
) -> None:
    target = tmp_path / "outside.txt"
    (project / CACHE_DIR).mkdir()
    (project / CACHE_DIR / ".gitignore").symlink_to(
        target
    )  # dangling: writing would create it
    assert n1fix("scan", "app", cwd=project).code == 1
    assert not target.exists()
    assert _cache_file(project).exists()


# --- the records ------------------------------------------------------------------------


def _same(a, b, where: str = "") -> None:
    """Equal, and of the same types all the way down (a tuple is not a list here)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            if f.compare:
                _same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            _same(a[key], b[key], f"{where}[{key!r}]")
    else:
        assert a == b, where
        if isinstance(a, (set, frozenset)):
            assert sorted(map(repr, a)) == sorted(map(repr, b)), where


def _round_trip(annotation, value):
    return decoder(annotation)(json.loads(json.dumps(encoder(annotation)(value))))


def test_every_survey_of_the_example_and_golden_trees_round_trips() -> None:
    gates = {rule.NAME: rule() for rule in all_rules()}
    checked = 0
    kinds: set[str] = set()
    for tree in (REPO / "examples", REPO / "golden"):
        for path in discover([tree], root=REPO, exclude=[]).files:
            survey = survey_file(path, REPO, gates)
            _same(survey, _round_trip(Survey, survey), str(path))
            kinds.update(
                type(fact).__name__
                for fact in [*survey.models, *survey.session_use, *survey.functions]
            )
            checked += 1
    assert checked > 100
    # The example holds every kind of fact the cache keeps (else this test proves less).
    assert {
        "ClassFacts",
        "ModuleFacts",
        "AliasFacts",
        "QueryFunction",
        "SessionUse",
        "SessionFactory",
    } <= kinds


def test_a_survey_of_a_file_with_an_undecodable_name_round_trips(
    tmp_path: Path,
) -> None:
    path = tmp_path / os.fsdecode(b"bad\xff.py")
    path.write_text(MODELS)
    survey = survey_file(path, tmp_path, {rule.NAME: rule() for rule in all_rules()})
    assert survey.models
    _same(survey, _round_trip(Survey, survey))


def test_findings_round_trip_without_their_plan() -> None:
    finding = Finding(
        "query-in-loop",
        "app/x.py",
        3,
        5,
        4,
        9,
        "message",
        Severity.HIGH,
        Applicability.UNSAFE,
        fix_note="why",
        loop_line=2,
        plan=object(),
    )
    [back] = _round_trip(list[Finding], [finding])
    assert back == finding and back.plan is None and back.severity is Severity.HIGH


@pytest.mark.parametrize(
    "annotation, value",
    [
        (
            list[Finding],
            [["Finding", "r", "p", 1, 1, 1, 1, "m", "bogus", "none", None, None]],
        ),
        (
            list[Finding],
            [["Finding", "r", "p", True, 1, 1, 1, "m", "high", "none", None, None]],
        ),
        (Survey, ["Survey", 1, "m", "", {}, [], [], [], [], [], [], {}, None, None]),
        (
            Survey,
            [
                "Survey",
                "/a.py",
                "m",
                "",
                {"x": 1},
                [],
                [],
                [],
                [],
                [],
                [],
                {},
                None,
                None,
            ],
        ),
        (
            Survey,
            [
                "Survey",
                "/a.py",
                "m",
                "",
                {},
                [],
                [],
                [],
                [],
                [],
                [],
                {"r": [1.5]},
                None,
                None,
            ],
        ),
        (
            Survey,
            ["Survey", "/a.py", "m", "", {}, [], [], [], [], [], [], [], None, None],
        ),
    ],
)
def test_wrongly_typed_records_are_refused(annotation, value) -> None:
    with pytest.raises(Malformed):
        decoder(annotation)(value)


def test_a_cache_file_that_is_a_symlink_is_replaced_not_written_through(
    project: Path, tmp_path: Path
) -> None:
    target = tmp_path / "victim.txt"
    target.write_text("keep me")
    (project / CACHE_DIR).mkdir()
    _cache_file(project).symlink_to(target)
    assert n1fix("scan", "app", cwd=project).code == 1
    assert target.read_text() == "keep me"
    assert (
        not _cache_file(project).is_symlink()
        and json.loads(_cache_file(project).read_text())["format"] == FORMAT
    )


def test_cached_findings_are_shown_from_where_this_run_is(project: Path) -> None:
    # The first run fills the cache from the project's parent; the second, from inside
    # the project, must name the same files relative to its own directory.
    first = n1fix("scan", project.name, cwd=project.parent)
    assert f"{project.name}/app/service.py:" in first.out, first
    run = n1fix("scan", ".", cwd=project)
    assert run.code == 1, run
    assert run.out.startswith("app/service.py:"), run
    cold = n1fix("scan", ".", "--no-cache", cwd=project)
    assert run.out == cold.out


def _edit_and_scan(project: Path, text: str) -> list:
    (project / "app" / "leaf.py").write_text(text)
    warm = runner.run([project / "app"], project, Config(), jobs=1)
    fresh = runner.run([project / "app"], project, Config(cache=False), jobs=1)
    assert [f.to_json() for f in warm.findings] == [f.to_json() for f in fresh.findings]
    return warm.findings


# A statement per id (raw-sql-in-loop): the file is checked, and has a finding.
LEAF = """\
from sqlalchemy import text


def touch_all(session, ids):
    for i in ids:
        session.execute(text("update t set n = n + 1 where id = :i"), {"i": i})
"""


def test_a_one_file_change_writes_only_what_changed(project: Path) -> None:
    """The whole cache is not encoded again for one file's survey and findings: they go
    to the changes file, which the next run reads with the whole one."""
    _edit_and_scan(project, LEAF)
    whole = _cache_file(project)
    before = whole.read_bytes()
    changes = whole.with_name(f"changes-{__version__}.json")
    assert not changes.exists()
    for n in range(3):
        _edit_and_scan(project, LEAF + f"\nN = {n}\n")
        assert whole.read_bytes() == before
        data = json.loads(changes.read_text())
        assert data["base"] == json.loads(before)["id"]
        leaf_surveys = [k for k in data["surveys"] if "leaf.py" in k]
        assert (
            len(leaf_surveys) == n + 1
        )  # each version of the file, none of the others
    calls = []
    survey = runner.survey_file
    runner.survey_file = lambda *a, **k: calls.append(a[0]) or survey(*a, **k)
    try:
        runner.run([project / "app"], project, Config(), jobs=1)  # all cached
    finally:
        runner.survey_file = survey
    assert calls == []


def test_a_changes_file_of_another_whole_file_is_not_read(project: Path) -> None:
    _edit_and_scan(project, LEAF)
    _edit_and_scan(project, LEAF + "\nN = 1\n")
    whole = _cache_file(project)
    changes = whole.with_name(f"changes-{__version__}.json")
    data = json.loads(changes.read_text())
    assert data["findings"]
    # Read, its entries would say the file has no findings (the scan compares with a
    # run without the cache), but a changes file naming another whole file is not read.
    data["base"] = "another"
    for entry in data["findings"].values():
        entry["findings"] = []
    changes.write_text(json.dumps(data))
    findings = _edit_and_scan(project, LEAF + "\nN = 1\n")
    assert any(f.path.endswith("leaf.py") for f in findings)


def test_many_changes_write_the_whole_cache_again(project: Path, monkeypatch) -> None:
    import n1fix.engine.cache as cache_module

    monkeypatch.setattr(cache_module, "CHANGES_KEPT", 0)
    _edit_and_scan(project, LEAF)
    whole = _cache_file(project)
    first = json.loads(whole.read_text())["id"]
    _edit_and_scan(project, LEAF + "\nN = 1\n")
    assert json.loads(whole.read_text())["id"] != first
    assert not whole.with_name(f"changes-{__version__}.json").exists()


def test_a_whole_write_leaves_out_older_versions_of_the_files(
    project: Path, monkeypatch
) -> None:
    import n1fix.engine.cache as cache_module

    monkeypatch.setattr(cache_module, "CHANGES_KEPT", 0)
    for n in range(3):
        _edit_and_scan(project, LEAF + f"\nN = {n}\n")
    data = json.loads(_cache_file(project).read_text())
    assert len([k for k in data["surveys"] if "leaf.py" in k]) == 1
    assert len([k for k in data["findings"] if "leaf.py" in k]) == 1
