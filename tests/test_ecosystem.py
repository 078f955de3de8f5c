"""The ecosystem check (ecosystem/): on a tiny local project, without the network.

The project has a safe fix (app/service.py), an unsafe one (app/first.py), a fix that
also adds a batch method to another file (app/counts.py -> app/dal.py), and a finding
without a fix (app/nofix.py).
"""

from __future__ import annotations

import hashlib
import sys
import tarfile
from dataclasses import replace
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ecosystem import check, runs, summary  # noqa: E402
from ecosystem.collect import collect  # noqa: E402
from ecosystem.compare import compare, ledger_failures, updated  # noqa: E402
from ecosystem.fingerprint import (  # noqa: E402
    changed_lines,
    fingerprints,
    fix_identity,
    fix_subject,
)
from ecosystem.ledger import (  # noqa: E402
    LedgerError,
    LedgerFinding,
    LedgerFix,
    ProjectLedger,
    dump_ledger,
    read_ledger,
    write_ledger,
)
from ecosystem.model import FindingRecord, FixRecord, ProjectRun  # noqa: E402
from ecosystem.projects import Project  # noqa: E402
from n1fix_project import MODELS, SERVICE, UNSAFE_FIRST, n1fix  # noqa: E402

DAL = """\
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Project


class ProjectsDAL:
    @staticmethod
    def count_for_user(session: Session, user_id: int) -> int:
        return session.scalar(select(func.count(Project.id)).where(Project.user_id == user_id)) or 0
"""

COUNTS = """\
from sqlalchemy.orm import Session

from app.dal import ProjectsDAL
from app.models import User


def counts(session: Session, users: list[User]) -> dict[int, int]:
    result = {}
    for user in users:
        result[user.id] = ProjectsDAL.count_for_user(session, user.id)
    return result
"""

# A query per user in a loop that commits per user: reported, with no fix.
NO_FIX = """\
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Project, User


def touch(session: Session, users: list[User]) -> None:
    for user in users:
        project = session.scalars(select(Project).where(Project.user_id == user.id)).first()
        project.name = project.name.strip()
        session.commit()
"""

FILES = {
    "app/__init__.py": "",
    # its foreign key indexed: missing-index, which the check reviews too, stays quiet
    "app/models.py": MODELS.replace("nullable=False)", "nullable=False, index=True)"),
    "app/service.py": SERVICE,
    "app/first.py": UNSAFE_FIRST,
    "app/dal.py": DAL,
    "app/counts.py": COUNTS,
    "app/nofix.py": NO_FIX,
}


def make_fake(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "1.0"\n')
    for name, text in FILES.items():
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture(scope="module")
def fake_run(tmp_path_factory) -> tuple[Path, ProjectRun]:
    root = make_fake(tmp_path_factory.mktemp("eco") / "demo-1.0")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root.parent)  # collect() works from the project's directory
        return root, collect(root, "demo", "1.0")


# --- what a run collects ----------------------------------------------------------------


def test_a_run_gives_every_fix_alone_with_its_label_and_the_findings_without_one(
    fake_run,
):
    _, run = fake_run
    assert run.crashed is None and run.errors == []
    assert sorted((f.rule, f.path, f.line, f.label) for f in run.fixes) == [
        ("query-in-loop", "app/counts.py", 10, "safe"),
        ("query-in-loop", "app/first.py", 10, "unsafe"),
        ("query-in-loop", "app/service.py", 11, "safe"),
    ]
    assert [(f.rule, f.path, f.line, f.label) for f in run.findings] == [
        ("query-in-loop", "app/nofix.py", 9, "none")
    ]
    assert "select(Project).where(Project.user_id == user.id)" in run.findings[0].code


def test_a_run_records_the_peak_memory_of_its_worker(fake_run):
    _, run = fake_run
    assert run.peak_mb > 0


# A worker whose n1fix run asks for 1 GiB at once, under a 512 MB cap.
GREEDY_WORKER = """\
import sys
sys.path.insert(0, {repo!r})
from ecosystem import collect
collect.collect = lambda root, name, version: bytearray(1 << 30)
sys.exit(collect.main(sys.argv[1:]))
"""


def test_a_worker_past_its_memory_limit_fails_alone_and_says_so(tmp_path, monkeypatch):
    worker = tmp_path / "greedy.py"
    worker.write_text(GREEDY_WORKER.format(repo=str(REPO)))
    monkeypatch.setattr(runs, "WORKER", worker)
    cache = tmp_path / "cache"
    (cache / "src" / "big-1.0").mkdir(parents=True)  # already extracted: no fetch
    big = Project("big", "1.0", "big-1.0.tar.gz", "0" * 64, "http://127.0.0.1:9/x")

    run = runs.run_project(big, cache, [], timeout=120, memory_mb=512)

    assert run.crashed and "out of memory (limit 512 MB)" in run.crashed


def test_a_fix_that_adds_a_batch_method_elsewhere_shows_both_files(fake_run):
    _, run = fake_run
    (counts,) = [f for f in run.fixes if f.path == "app/counts.py"]
    assert "+++ b/app/counts.py" in counts.diff and "+++ b/app/dal.py" in counts.diff
    assert "+    def count_for_users(" in counts.diff


def test_each_diff_is_what_apply_dry_run_unsafe_fixes_prints_for_that_fix(fake_run):
    root, run = fake_run
    # One fix per file here, so `apply` over the project shows each fix's own diff.
    applied = n1fix("apply", "--dry-run", "--unsafe-fixes", ".", cwd=root)
    assert applied.code == 1, applied.err
    for fix in run.fixes:
        for part in fix.diff.split("--- a/")[1:]:
            assert "--- a/" + part in applied.out


# --- fingerprints -----------------------------------------------------------------------


def test_fingerprints_stay_when_unrelated_lines_move(fake_run, tmp_path, monkeypatch):
    _, run = fake_run
    moved = make_fake(tmp_path / "demo-1.0")
    for name in (
        "app/service.py",
        "app/first.py",
        "app/counts.py",
        "app/dal.py",
        "app/nofix.py",
    ):
        path = moved / name
        path.write_text("# a comment\n\n\n" + path.read_text())
    monkeypatch.chdir(tmp_path)
    again = collect(moved, "demo", "1.0")
    assert sorted((f.fingerprint, f.line + 3) for f in run.fixes) == sorted(
        (f.fingerprint, f.line) for f in again.fixes
    )
    assert [(f.fingerprint, f.line + 3) for f in run.findings] == [
        (f.fingerprint, f.line) for f in again.findings
    ]


def test_a_fix_fingerprint_is_its_changed_lines_not_their_place():
    old = "a\nb\nc\nd\n"
    assert changed_lines(old, "a\nB\nc\nX\n") == ["-b", "-d", "+B", "+X"]
    # An added import and its blank line, paired with the blank line above or below.
    assert changed_lines("# c\n\nimport a\n", "# c\n\nimport b\n\nimport a\n") == [
        "+import b"
    ]
    shifted = "x\ny\n" + old
    same = fix_identity("r", "f.py", [("f.py", old, old.replace("b", "B"))])
    assert same == fix_identity(
        "r", "f.py", [("f.py", shifted, shifted.replace("b", "B"))]
    )
    assert same != fix_identity("r", "f.py", [("f.py", old, old.replace("b", "C"))])
    assert same != fix_identity("r", "g.py", [("g.py", old, old.replace("b", "B"))])
    assert same != fix_identity(
        "other-rule", "f.py", [("f.py", old, old.replace("b", "B"))]
    )


def test_identical_fixes_in_one_file_get_distinct_fingerprints():
    first, second, other = fingerprints(["same", "same", "other"])
    assert len({first, second, other}) == 3
    assert fingerprints(["same"]) == [first]


# --- the ledger -------------------------------------------------------------------------


def sample_ledger() -> ProjectLedger:
    return ProjectLedger(
        "demo",
        "1.0",
        fixes=[
            LedgerFix(
                "aaaa",
                "query-in-loop",
                "app/b.py",
                20,
                "safe",
                "merge",
                "saves N queries",
                True,
            ),
            LedgerFix(
                "bbbb",
                "query-in-loop",
                "app/a.py",
                5,
                "unsafe",
                "wrong",
                'keys are "str", column is int \\ uuid',
            ),
            LedgerFix("cccc", "lazy-load-in-loop", "app/a.py", 9, "unsafe"),
        ],
        findings=[
            LedgerFinding(
                "dddd",
                "sequential-awaits",
                "app/c.py",
                3,
                "none",
                "noise",
                "one session: cannot run together — ü",
            )
        ],
        errors=["app/old.py: cannot parse"],
    )


def test_the_ledger_reads_back_what_was_written_verdicts_and_whys_included(tmp_path):
    path = tmp_path / "demo.toml"
    ledger = sample_ledger()
    write_ledger(path, ledger)
    back = read_ledger(path)
    assert sorted(back.fixes, key=lambda f: f.fingerprint) == ledger.fixes
    assert back.findings == ledger.findings and back.errors == ledger.errors
    assert dump_ledger(back) == path.read_text()  # stable: a re-write changes nothing


def test_a_reviewer_edit_is_a_one_line_diff_that_survives_an_update(tmp_path):
    path = tmp_path / "demo.toml"
    write_ledger(path, sample_ledger())
    text = path.read_text()
    block = text[text.index('fingerprint = "cccc"') :]
    edited = text.replace(
        block,
        block.replace('verdict = "unreviewed"', 'verdict = "pointless"', 1).replace(
            'why = ""', 'why = "selectin already"', 1
        ),
        1,
    )
    path.write_text(edited)
    ledger = read_ledger(path)
    assert (
        ledger.fix("cccc").verdict == "pointless"
        and ledger.fix("cccc").why == "selectin already"
    )
    run = run_from(ledger)
    write_ledger(path, updated(ledger, run))
    assert path.read_text() == edited


def test_a_bad_verdict_is_refused(tmp_path):
    path = tmp_path / "demo.toml"
    write_ledger(path, sample_ledger())
    path.write_text(path.read_text().replace('verdict = "merge"', 'verdict = "fine"'))
    with pytest.raises(LedgerError, match="verdict 'fine'"):
        read_ledger(path)


# --- comparing a run with the ledger ----------------------------------------------------


def fix_record(entry: LedgerFix, **changes) -> FixRecord:
    record = FixRecord(
        entry.fingerprint,
        entry.rule,
        entry.path,
        entry.line,
        entry.label,
        "msg",
        None,
        "--- a/x\n",
    )
    return replace(record, **changes)


def run_from(ledger: ProjectLedger) -> ProjectRun:
    """The run the ledger records, entry for entry."""
    return ProjectRun(
        ledger.project,
        ledger.version,
        "/src",
        fixes=[fix_record(f) for f in ledger.fixes],
        findings=[
            FindingRecord(
                f.fingerprint, f.rule, f.path, f.line, f.label, "msg", None, "code"
            )
            for f in ledger.findings
        ],
        errors=list(ledger.errors),
    )


def test_a_run_equal_to_the_ledger_differs_in_nothing():
    ledger = sample_ledger()
    changes = compare(run_from(ledger), ledger)
    assert not changes.differs
    assert [f.fingerprint for f in changes.unreviewed_fixes] == ["cccc"]
    assert [f.fingerprint for f, _ in changes.wrong_offered] == ["bbbb"]
    assert changes.failures() == ["1 unreviewed fix", "1 wrong fix still offered"]


def test_new_gone_and_relabelled_fixes_and_findings_are_reported():
    ledger = sample_ledger()
    run = run_from(ledger)
    new = FixRecord(
        "eeee", "query-in-loop", "app/d.py", 7, "safe", "msg", None, "--- a/app/d.py\n"
    )
    run.fixes = [
        fix_record(ledger.fixes[0], label="unsafe", line=22),
        new,
    ]  # bbbb, cccc gone
    run.findings = [
        FindingRecord(
            "ffff", "query-in-loop", "app/e.py", 1, "none", "msg", None, "code"
        )
    ]
    run.errors = ["app/new.py: internal error"]
    changes = compare(run, ledger)
    assert changes.differs
    assert [f.fingerprint for f in changes.new_fixes] == ["eeee"]
    assert sorted(f.fingerprint for f in changes.gone_fixes) == ["bbbb", "cccc"]
    assert [(f.label, e.label) for f, e in changes.label_changes] == [
        ("unsafe", "safe")
    ]
    assert changes.wrong_offered == []
    assert [f.fingerprint for f in changes.new_findings] == ["ffff"]
    assert [f.fingerprint for f in changes.gone_findings] == ["dddd"]
    assert changes.new_errors == [
        "app/new.py: internal error"
    ] and changes.gone_errors == ["app/old.py: cannot parse"]
    assert [f.fingerprint for f in changes.label_unjudged] == [
        "aaaa"
    ]  # merged as safe, now unsafe


def test_updating_keeps_verdicts_adds_unreviewed_and_drops_what_is_gone():
    ledger = sample_ledger()
    run = run_from(ledger)
    new = FixRecord("eeee", "query-in-loop", "app/d.py", 7, "safe", "msg", None, "diff")
    run.fixes = [
        fix_record(ledger.fixes[0], line=30),
        fix_record(ledger.fixes[2], label="safe"),
        new,
    ]
    result = updated(ledger, run)
    by_print = {f.fingerprint: f for f in result.fixes}
    assert set(by_print) == {"aaaa", "cccc", "eeee"}
    assert (
        by_print["aaaa"].verdict,
        by_print["aaaa"].why,
        by_print["aaaa"].line,
        by_print["aaaa"].label_right,
    ) == (
        "merge",
        "saves N queries",
        30,
        True,
    )
    assert by_print["cccc"].label == "safe"
    assert (by_print["eeee"].verdict, by_print["eeee"].label) == ("unreviewed", "safe")
    assert result.findings == ledger.findings
    relabelled = updated(
        ledger, replace(run, fixes=[fix_record(ledger.fixes[0], label="unsafe")])
    )
    assert (
        relabelled.fixes[0].verdict == "merge"
        and relabelled.fixes[0].label_right is None
    )


def test_the_ledger_alone_fails_the_check_while_anything_is_unreviewed_or_wrong():
    assert ledger_failures(sample_ledger()) == [
        "1 unreviewed fix",
        "1 wrong fix still offered",
    ]
    reviewed = sample_ledger()
    reviewed.fixes = [reviewed.fixes[0]]
    assert ledger_failures(reviewed) == []


# --- the summary ------------------------------------------------------------------------


def test_the_summary_counts_verdicts_per_project_and_per_rule():
    ledger = sample_ledger()
    ledger.fixes += [
        LedgerFix(
            "gggg", "query-in-loop", "app/f.py", 1, "unsafe", "merge", "ok", False
        ),
        LedgerFix(
            "hhhh",
            "query-in-loop",
            "app/f.py",
            2,
            "unsafe",
            "pointless",
            "no trips saved",
        ),
        LedgerFix("iiii", "query-in-loop", "app/f.py", 3, "safe", "wrong", "breaks"),
    ]
    other = ProjectLedger(
        "other", "2.0", findings=[LedgerFinding("jjjj", "query-in-loop", "x.py", 1)]
    )
    (row,) = summary.per_project([ledger]).values()
    assert (row.findings, row.no_fix, row.noise, row.fixes, row.safe, row.unsafe) == (
        7,
        1,
        1,
        6,
        2,
        4,
    )
    assert (row.merge, row.label_wrong, row.pointless, row.wrong, row.unreviewed) == (
        2,
        1,
        1,
        2,
        1,
    )
    assert row.wrong_safe == 1
    assert row.percent_wrong_unsafe() == "33%"  # 1 of 3 reviewed unsafe fixes
    assert row.percent_pointless() == "20%"  # 1 of 5 reviewed fixes
    rules = summary.per_rule([ledger, other])
    assert rules["query-in-loop"].fixes == 5 and rules["query-in-loop"].no_fix == 1
    assert rules["lazy-load-in-loop"].percent_pointless() == "—"  # nothing reviewed
    table = summary.markdown_tables([ledger, other])
    assert (
        "| demo | 1.0 | 7 | 1 | 1 | 6 | 2 | 4 | 2 | 1 | 1 | 2 | 1 | 1 | 33% | 20% |"
        in table
    )
    assert "| **total** | | 8 | 2 | 1 | 6 |" in table


# --- the whole check: fetch from a seed, verify, extract once, run, ledger, bundle ------


def test_the_check_end_to_end(tmp_path, capsys):
    seed = tmp_path / "seed"
    seed.mkdir()
    make_fake(tmp_path / "build" / "demo-1.0")
    archive = seed / "demo-1.0.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "build" / "demo-1.0", arcname="demo-1.0")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    # Downloaded (from a file: URL), it does not match its pinned sha256.
    mirror = tmp_path / "mirror" / "tampered-1.0.tar.gz"
    mirror.parent.mkdir()
    mirror.write_bytes(archive.read_bytes())
    projects = tmp_path / "projects.toml"
    projects.write_text(
        '[[project]]\nname = "demo"\nversion = "1.0"\narchive = "demo-1.0.tar.gz"\n'
        f'sha256 = "{digest}"\nurl = "http://127.0.0.1:9/demo-1.0.tar.gz"\n\n'
        '[[project]]\nname = "tampered"\nversion = "1.0"\narchive = "tampered-1.0.tar.gz"\n'
        f'sha256 = "{"0" * 64}"\nurl = "{mirror.as_uri()}"\n'
    )
    ledgers, cache, review = (
        tmp_path / "ledger",
        tmp_path / "cache",
        tmp_path / "review",
    )
    common = [
        "--projects-file",
        str(projects),
        "--ledger-dir",
        str(ledgers),
        "--cache",
        str(cache),
        "--seed",
        str(seed),
        "--review-dir",
        str(review),
        "-j",
        "2",
    ]

    # A project whose archive does not match its sha256 fails alone.
    assert check.main([*common, "--update-ledger"]) == 2
    out = capsys.readouterr().out
    assert "== tampered 1.0: FAILED: fetch:" in out and "is not the pinned" in out
    assert "new fix (safe) query-in-loop app/service.py:11" in out
    assert not (ledgers / "tampered.toml").exists()
    assert not list((cache / "archives").glob("*tampered*"))
    ledger = read_ledger(ledgers / "demo.toml")
    assert len(ledger.fixes) == 3 and len(ledger.findings) == 1
    assert all(f.verdict == "unreviewed" for f in ledger.fixes)
    pages = sorted(
        p.stem for p in (review / "demo").glob("*.md") if p.stem != "findings"
    )
    assert pages == sorted(f.fingerprint for f in ledger.fixes)
    page = (review / "demo" / f"{ledger.fixes[0].fingerprint}.md").read_text()
    assert str(cache / "src" / "demo-1.0") in page and "```diff" in page
    assert "app/nofix.py" in (review / "demo" / "findings.md").read_text()

    # Extracted once: the tree is reused, not unpacked again.
    marker = cache / "src" / "demo-1.0" / "marker.txt"
    marker.write_text("kept")
    assert (
        check.main([*common, "--project", "demo", "--check", "--no-diffs"]) == 1
    )  # unreviewed
    assert marker.exists()
    assert "new fix" not in capsys.readouterr().out

    for fix in ledger.fixes:
        fix.verdict, fix.why, fix.label_right = "merge", "one query instead of N", True
    write_ledger(ledgers / "demo.toml", ledger)
    assert check.main([*common, "--project", "demo", "--check"]) == 0
    assert not list((review / "demo").glob("*.md")) or [
        p.name for p in (review / "demo").glob("*.md")
    ] == ["findings.md"]
    capsys.readouterr()

    assert check.main([*common, "--project", "demo", "--no-run", "--table"]) == 0
    assert (
        "| demo | 1.0 | 4 | 1 | 0 | 3 | 2 | 1 | 3 | 0 | 0 | 0 | 0 | 0 | 0% | 0% |"
        in capsys.readouterr().out
    )


def test_identical_index_fixes_are_told_apart_by_their_column_not_their_order():
    # two columns written alike: `index=True` adds the same line to each
    old = "a = Column(\n    ForeignKey('x.id'),\n)\nb = Column(\n    ForeignKey('x.id'),\n)\n"
    first = old.replace("'x.id'),\n)\nb", "'x.id'),\n    index=True,\n)\nb")
    second = old[: old.index("b =")] + old[old.index("b =") :].replace(
        "'x.id'),", "'x.id'),\n    index=True,"
    )
    assert changed_lines(old, first) == changed_lines(old, second)

    def identity(text, column):
        message = (
            f"foreign key `t.{column}` has no index, and 1 query looks rows up by it"
        )
        subject = fix_subject("missing-index", message)
        return fix_identity("missing-index", "m.py", [("m.py", old, text)], subject)

    a_then_b = fingerprints([identity(first, "a"), identity(second, "b")])
    b_alone = fingerprints([identity(second, "b")])  # a's finding gone
    assert b_alone[0] == a_then_b[1]
    assert a_then_b[0] != a_then_b[1]
    assert fix_subject("query-in-loop", "foreign key `t.a`") is None
