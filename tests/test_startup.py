"""What a run imports: a pre-commit hook runs n1fix on a few files, and importing LibCST
(a fifth of a second) or the rest of the precise pass is wasted when no file reaches it.

Speed itself is measured by bench/bench_scan.py, not here; these tests hold the behaviour
that makes it fast: what is imported when."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

HEAVY = ("libcst", "sqlglot")
# What a plain `scan` of a clean file leaves alone besides: the CLI framework (typer, its
# click and rich) and pathspec (the default excludes are plain patterns).
CLI = ("typer", "click", "rich", "pathspec")

# Runs the CLI in a fresh interpreter and prints which heavy modules it imported.
PROBE = textwrap.dedent(
    """\
    import json, sys
    from n1fix.cli_plain import main  # the console script's entry point
    sys.argv = ["n1fix", "scan", *sys.argv[1:]]
    try:
        main()
    except SystemExit as exit_:
        code = exit_.code
    print(json.dumps({"code": code, "imported": [m for m in %r if m in sys.modules]}))
    """
    % ((*HEAVY, *CLI),)
)


def _scan(path: Path, cwd: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(proc.stdout.splitlines()[-1])


def _project(tmp_path: Path, text: str) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\nversion = "0"\n')
    path = tmp_path / "clean.py"
    path.write_text(textwrap.dedent(text))
    return path


def test_a_clean_file_is_scanned_without_libcst(tmp_path: Path) -> None:
    """A loop over a query's rows that reads columns only, in a project with no
    relationship: no rule can report it, and the precise pass is not even imported;
    nor typer (a plain scan does without) nor pathspec."""
    path = _project(
        tmp_path,
        """\
        from sqlalchemy import select


        def users_by_id(session, model, ids):
            rows = session.scalars(select(model).where(model.id.in_(ids)))
            return {row.id: row for row in rows}
        """,
    )
    assert _scan(path, tmp_path) == {"code": 0, "imported": []}


def test_a_file_with_a_finding_still_gets_the_precise_pass(tmp_path: Path) -> None:
    path = _project(
        tmp_path,
        """\
        from sqlalchemy import select
        from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


        class Base(DeclarativeBase):
            pass


        class User(Base):
            __tablename__ = "users"
            id: Mapped[int] = mapped_column(primary_key=True)


        def users(session: Session, ids: list[int]):
            return [session.scalars(select(User).where(User.id == i)).one() for i in ids]
        """,
    )
    outcome = _scan(path, tmp_path)
    assert outcome["code"] == 1
    assert "libcst" in outcome["imported"]
    assert "typer" not in outcome["imported"]


# What a run answered by the run memo does without: the survey and its fact modules, the
# model index, the results cache's codec, and the standard modules only some runs need.
UNSURVEYED = (
    "n1fix.engine.survey",
    "n1fix.engine.hook_modules",
    "n1fix.engine.cache_codec",
    "n1fix.orm.models",
    "n1fix.orm.model_facts",
    "n1fix.orm.django_facts",
    "n1fix.orm.session_use",
    "n1fix.orm.functions",
    "configparser",
    "difflib",
    "secrets",
)


def test_a_clean_file_scanned_again_is_answered_without_the_survey(
    tmp_path: Path,
) -> None:
    """A pre-commit hook runs on the same clean file again and again: once the run memo
    holds its answer, the run imports nothing that would survey it."""
    import time

    path = _project(
        tmp_path,
        """\
        from sqlalchemy import select


        def users_by_id(session, model, ids):
            rows = session.scalars(select(model).where(model.id.in_(ids)))
            return {row.id: row for row in rows}
        """,
    )
    # A file changed within the last two seconds is not trusted by its stamp (its
    # status-change time, which no tool sets back): the memo is written once it is older.
    time.sleep(2.1)
    probe = PROBE.replace(repr((*HEAVY, *CLI)), repr(UNSURVEYED))
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe, str(path)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        for _ in range(2)
    ]
    first, again = (json.loads(r.stdout.splitlines()[-1]) for r in runs)
    assert first["code"] == again["code"] == 0
    assert "n1fix.engine.survey" in first["imported"]
    assert again["imported"] == []


def test_a_run_and_its_workers_collect_garbage_rarely(tmp_path: Path) -> None:
    """LibCST's trees are many live objects: the default collector thresholds would walk
    them again and again. The CLI sets its own, and a pool worker has them too, however
    it was started."""
    from n1fix.engine.collector import THRESHOLDS

    probe = textwrap.dedent(
        """\
        import gc, json, multiprocessing, sys
        from n1fix.cli_plain import main
        from n1fix.engine import runner
        seen = {}
        original = runner._init_worker
        def init(*args):
            original(*args)
            seen["worker"] = gc.get_threshold()
        runner._init_worker = init
        sys.argv = ["n1fix", "scan", "--no-cache", "-j", "1", sys.argv[1]]
        try:
            main()
        except SystemExit:
            pass
        print(json.dumps({"run": gc.get_threshold(), **seen}))
        """
    )
    (tmp_path / "app.py").write_text(
        "for user in users:\n    session.execute(select(Order).where(Order.user_id == user.id))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "app.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert tuple(seen["run"]) == THRESHOLDS
    assert tuple(seen["worker"]) == THRESHOLDS
