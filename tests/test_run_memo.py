"""The run memo gives the last answer again only while nothing it depended on changed:
the files found, their contents, the folders imports were looked up in, the project
facts; anything else is a run the long way, with the answer a run without any cache gives."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from n1fix_project import MODELS, PYPROJECT, SERVICE, n1fix

import n1fix.engine.cache as cache_module
from n1fix.config import Config
from n1fix.engine import run_memo, runner

# A loop with a raw statement per row (a finding), importing a module the project lacks.
LEAF = """\
from sqlalchemy import text

from build.helpers import audit


def touch_all(session, ids):
    for i in ids:
        session.execute(text("update t set n = n + 1 where id = :i"), {"i": i})
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    # Files written by the test are seconds old at most: trust their stamps anyway (one
    # test below keeps the rule).
    monkeypatch.setattr(run_memo, "RACY_NS", 0)
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    for name, text in {
        "__init__.py": "",
        "models.py": MODELS,
        "service.py": SERVICE,
        "leaf.py": LEAF,
    }.items():
        (root / "app" / name).write_text(text)
    return root


def _findings(result) -> list:
    return [f.to_json() | {"fix_note": f.fix_note} for f in result.findings]


def _scan(root: Path, long_way: list) -> tuple[bool, list]:
    """(did the memo answer, findings), the findings checked against a run without cache."""
    long_way.clear()
    result = runner.run([root], root, Config(), jobs=1, memo=True)
    answered = not long_way
    fresh = runner.run([root], root, Config(cache=False), jobs=1)
    assert _findings(result) == _findings(fresh)
    assert result.errors == fresh.errors
    assert result.files_checked == fresh.files_checked
    return answered, _findings(result)


def test_an_unchanged_tree_is_answered_by_the_memo(
    project: Path, long_way: list
) -> None:
    answered, findings = _scan(project, long_way)
    assert not answered and findings
    answered, again = _scan(project, long_way)
    assert answered and again == findings


def test_a_changed_file_is_a_miss(project: Path, long_way: list) -> None:
    _scan(project, long_way)
    leaf = project / "app" / "leaf.py"
    leaf.write_text(LEAF.replace("for i in ids:", "for i in sorted(ids):"))
    answered, _ = _scan(project, long_way)
    assert not answered


def test_a_change_of_the_same_size_is_a_miss(project: Path, long_way: list) -> None:
    _scan(project, long_way)
    leaf = project / "app" / "leaf.py"
    before = leaf.stat()
    leaf.write_text(LEAF.replace("n + 1", "n + 2"))
    os.utime(leaf, ns=(before.st_atime_ns, before.st_mtime_ns))
    answered, findings = _scan(project, long_way)
    assert not answered
    assert any("leaf.py" in f["path"] for f in findings)


def test_a_new_file_is_a_miss(project: Path, long_way: list) -> None:
    _scan(project, long_way)
    (project / "app" / "more.py").write_text(LEAF)
    answered, findings = _scan(project, long_way)
    assert not answered
    assert any(f["path"].endswith("more.py") for f in findings)


def test_a_module_that_an_import_now_finds_is_a_miss(
    project: Path, long_way: list
) -> None:
    """`build.helpers` is not in the project; once it is, leaf.py imports it. `build/`
    is excluded (discovery does not see the new file): the folder's listing does."""
    (project / "build").mkdir()
    (project / "build" / "other.py").write_text("")
    _scan(project, long_way)
    assert _scan(project, long_way)[0]
    (project / "build" / "helpers.py").write_text("def audit():\n    pass\n")
    answered, _ = _scan(project, long_way)
    assert not answered


def test_another_command_is_not_answered(project: Path, long_way: list) -> None:
    _scan(project, long_way)
    long_way.clear()
    runner.run(
        [project], project, Config(ignore=["raw-sql-in-loop"]), jobs=1, memo=True
    )
    assert long_way


def _memo_stamps(project: Path) -> dict[str, list]:
    """The stamps the memo keeps, by path, for every command it holds."""
    memo = next((project / cache_module.CACHE_DIR).glob("runs-*.json"))
    return {
        path: known[:4]
        for entry in json.loads(memo.read_text())["runs"].values()
        for path, known in entry["files"].items()
    }


def test_a_recent_change_is_not_trusted_by_its_stamp(
    project: Path, long_way: list, monkeypatch
) -> None:
    """A file written within the clock's tick of a later edit keeps its stamp: one
    changed just before the run is not trusted by it. The memo keeps it as untrusted,
    and the next run compares its content instead."""
    monkeypatch.setattr(run_memo, "RACY_NS", 2_000_000_000)
    answered, findings = _scan(project, long_way)
    assert not answered
    assert set(map(tuple, _memo_stamps(project).values())) == {
        tuple(run_memo.UNTRUSTED)
    }
    answered, again = _scan(project, long_way)
    assert answered and again == findings


def test_a_recent_edit_of_the_same_size_and_stamp_is_a_miss(
    project: Path, long_way: list, monkeypatch
) -> None:
    """The racy case itself: the content changed, the times put back (as a write within
    one tick of the clock leaves them). An untrusted file is hashed: a miss."""
    monkeypatch.setattr(run_memo, "RACY_NS", 2_000_000_000)
    _scan(project, long_way)
    leaf = project / "app" / "leaf.py"
    before = leaf.stat()
    leaf.write_text(LEAF.replace("n + 1", "n + 2"))
    os.utime(leaf, ns=(before.st_atime_ns, before.st_mtime_ns))
    answered, findings = _scan(project, long_way)
    assert not answered
    assert any("leaf.py" in f["path"] for f in findings)


def test_a_file_written_again_unchanged_is_answered_and_restamped(
    project: Path, long_way: list, monkeypatch
) -> None:
    """Its stamp differs, its content hash does not: the same answer, and the memo keeps
    the new stamp (the next run does not hash the file again)."""
    answered, findings = _scan(project, long_way)
    leaf = project / "app" / "leaf.py"
    time.sleep(0.01)
    leaf.write_text(leaf.read_text())
    hashed: list = []
    real = run_memo._same_content

    def counted(path, digest):
        hashed.append(path)
        return real(path, digest)

    monkeypatch.setattr(run_memo, "_same_content", counted)
    answered, again = _scan(project, long_way)
    assert answered and again == findings and hashed == [str(leaf)]
    assert _memo_stamps(project)[str(leaf)] == run_memo.stamp(str(leaf))
    hashed.clear()
    answered, _ = _scan(project, long_way)
    assert answered and hashed == []


@pytest.mark.parametrize(
    "spoil",
    [
        lambda entry: entry.update(findings=[["not", "a", "finding"]]),
        lambda entry: entry.update(files={"x": "y"}),
        lambda entry: entry.update(facts={"[1, 2, 3]": "x"}),
        lambda entry: entry["findings"][0].__setitem__(7, "fatal"),
        lambda entry: entry.clear(),
    ],
)
def test_a_malformed_memo_is_a_miss(project: Path, long_way: list, spoil) -> None:
    _scan(project, long_way)
    memo = next((project / cache_module.CACHE_DIR).glob("runs-*.json"))
    data = json.loads(memo.read_text())
    for entry in data["runs"].values():
        spoil(entry)
    memo.write_text(json.dumps(data))
    answered, _ = _scan(project, long_way)
    assert not answered


def test_the_cli_answers_the_same_from_the_memo(project: Path, monkeypatch) -> None:
    first = n1fix("scan", "--format", "json", ".", cwd=project)
    time.sleep(0.01)
    second = n1fix("scan", "--format", "json", ".", cwd=project)
    assert (second.code, second.out, second.err) == (first.code, first.out, first.err)
    assert first.code == 1
    assert list((project / cache_module.CACHE_DIR).glob("runs-*.json"))


# Reads columns only of a query's rows: every gate turns it away.
CLEAN = """\
from sqlalchemy import select


def users_by_id(session, model, ids):
    rows = session.scalars(select(model).where(model.id.in_(ids)))
    return {row.id: row for row in rows}
"""


@pytest.fixture
def walks(monkeypatch) -> list:
    """Each look through the whole project for modules hooking the models."""
    from n1fix.engine import hook_modules

    looked: list = []
    real = hook_modules.hook_modules

    def counted(*args):
        looked.append(args[0])
        return real(*args)

    monkeypatch.setattr(hook_modules, "hook_modules", counted)
    return looked


def test_one_clean_file_of_an_orm_project_is_answered_by_the_memo(
    project: Path, long_way: list, walks: list
) -> None:
    """A pre-commit hook's run over one file that no rule checks: the project is not
    walked for the modules hooking its models (only a check asks about them), so the
    answer depends on the file and its imports alone, and the memo gives it again."""
    clean = project / "app" / "clean.py"
    clean.write_text(CLEAN)
    for _ in range(2):
        long_way.clear()
        result = runner.run([clean], project, Config(), jobs=1, memo=True)
        assert result.findings == [] and result.files_checked == 1
    assert long_way == [] and walks == []


def test_one_checked_file_of_an_orm_project_is_answered_after_its_walk(
    project: Path, long_way: list, walks: list
) -> None:
    """A run over one checked file looks through the project for hooks; the memo keeps
    what that walk looked at, and the same run again is answered without a walk."""
    service = project / "app" / "service.py"
    answers = []
    for _ in range(2):
        long_way.clear()
        result = runner.run([service], project, Config(), jobs=1, memo=True)
        assert result.findings
        answers.append((bool(long_way), _findings(result)))
    assert answers[0][0] and not answers[1][0] and answers[0][1] == answers[1][1]
    assert len(walks) == 1


@pytest.mark.skipif(
    sys.platform in ("win32", "darwin"),
    reason="file names are bytes only on POSIX file systems like Linux's",
)
def test_a_file_name_that_is_not_utf8_is_remembered(
    project: Path, long_way: list
) -> None:
    """A folder listing holding `bad\\xff.py` (surrogate escapes in Python) is digested
    by its bytes: the run keeps a memo (it raised UnicodeEncodeError before), and the
    next run is answered by it."""
    bad = Path(os.fsdecode(os.fsencode(project / "app") + b"/bad\xff.py"))
    bad.write_text(LEAF)
    answered, findings = _scan(project, long_way)
    assert not answered and any("bad" in f["path"] for f in findings)
    answered, again = _scan(project, long_way)
    assert answered and again == findings
