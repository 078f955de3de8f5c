"""`n1fix apply --interactive`, driven in a real pseudo-terminal with pexpect.

The expected files are golden `before.py`/`after.py` pairs, reviewed by hand: an accepted
change must give exactly the golden `after.py`, a skipped one must leave `before.py`.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pexpect
import pytest
from n1fix_project import N1FIX, n1fix

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "golden"
COUNTS = GOLDEN / "query_in_loop" / "count_per_project"
OWNERS = GOLDEN / "query_in_loop" / "optional_get_listcomp"
PROMPT = r"Apply this change\? \[y,n,a,d,q,\?\]"


def _project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    shutil.copy(COUNTS / "before.py", tmp_path / "a_counts.py")
    shutil.copy(OWNERS / "before.py", tmp_path / "b_owners.py")
    return tmp_path


def _spawn(root: Path, *args: str) -> pexpect.spawn:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200"}
    return pexpect.spawn(
        str(N1FIX),
        ["apply", "--interactive", *args],
        cwd=str(root),
        env=env,
        encoding="utf-8",
        timeout=60,
    )


def test_accept_one_change_and_reject_another(tmp_path):
    root = _project(tmp_path)
    child = _spawn(root, "a_counts.py", "b_owners.py")
    child.expect("a_counts.py:")
    child.expect("query-in-loop")
    child.expect("fix safety: safe")
    child.expect(r"\+\+\+ b/a_counts.py")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect("b_owners.py:")
    child.expect(PROMPT)
    child.sendline("n")
    child.expect(r"Applied 1 change, skipped 1 change; wrote 1 file\.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (root / "a_counts.py").read_text() == (COUNTS / "after.py").read_text()
    assert (root / "b_owners.py").read_text() == (OWNERS / "before.py").read_text()


def test_help_then_quit_keeps_nothing_unasked(tmp_path):
    root = _project(tmp_path)
    child = _spawn(root, "a_counts.py", "b_owners.py")
    child.expect(PROMPT)
    child.sendline("?")
    child.expect("d - skip this change and the rest of the changes in this file")
    child.expect(PROMPT)
    child.sendline("q")
    child.expect(r"Applied 0 changes, skipped 1 change; wrote 0 files\.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (root / "a_counts.py").read_text() == (COUNTS / "before.py").read_text()
    assert (root / "b_owners.py").read_text() == (OWNERS / "before.py").read_text()


def test_skip_rest_of_file_then_accept_the_next_file(tmp_path):
    root = _project(tmp_path)
    child = _spawn(root, "a_counts.py", "b_owners.py")
    child.expect(PROMPT)
    child.sendline("d")
    child.expect("b_owners.py:")
    child.expect(PROMPT)
    child.sendline("a")
    child.expect(r"Applied 1 change, skipped 1 change; wrote 1 file\.")
    child.expect(pexpect.EOF)
    assert (root / "a_counts.py").read_text() == (COUNTS / "before.py").read_text()
    assert (root / "b_owners.py").read_text() == (OWNERS / "after.py").read_text()


DAL = textwrap.dedent("""\
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from renderapp.models import Render


    def renders_for_project(session: Session, project_id: int) -> list[Render]:
        return list(session.scalars(select(Render).where(Render.project_id == project_id).order_by(Render.id)))
""")

SERVICE = textwrap.dedent("""\
    from dal import renders_for_project


    def gallery(session, projects):
        return {project.id: renders_for_project(session, project.id) for project in projects}
""")


def test_a_change_across_two_files_is_shown_and_applied_together(tmp_path):
    root = _project(tmp_path)
    (root / "dal.py").write_text(DAL)
    (root / "service.py").write_text(SERVICE)
    child = _spawn(root, "service.py")
    child.expect(r"\+\+\+ b/service.py")
    child.expect(r"\+\+\+ b/dal.py")
    child.expect(r"\+def renders_for_projects")
    child.expect(PROMPT)
    child.sendline("y")
    child.expect(r"Applied 1 change, skipped 0 changes; wrote 2 files\.")
    child.expect(pexpect.EOF)
    service = (root / "service.py").read_text()
    assert "from dal import renders_for_projects\n" in service
    assert "renders_for_projects(session, project_ids)" in service
    assert (
        "def renders_for_projects(\n    session: Session, project_ids: list[int]\n) -> dict[int, list[Render]]:"
        in (root / "dal.py").read_text()
    )


def test_refuses_without_a_terminal(tmp_path):
    root = _project(tmp_path)
    result = n1fix("apply", "--interactive", "a_counts.py", cwd=root)
    assert result.code == 2
    assert result.err_lines == [
        "n1fix: error: --interactive needs a terminal on stdin; in scripts use `n1fix apply` (safe fixes) or "
        "`n1fix apply --dry-run` (a diff)"
    ]
    assert (root / "a_counts.py").read_text() == (COUNTS / "before.py").read_text()


@pytest.mark.parametrize(
    "answer", ["\x04"]
)  # Ctrl-D at the prompt: quit, nothing more asked
def test_end_of_input_at_the_prompt_quits(tmp_path, answer):
    root = _project(tmp_path)
    child = _spawn(root, "a_counts.py", "b_owners.py")
    child.expect(PROMPT)
    child.send(answer)
    child.expect(r"Applied 0 changes, skipped 1 change; wrote 0 files\.")
    child.expect(pexpect.EOF)
    assert (root / "a_counts.py").read_text() == (COUNTS / "before.py").read_text()
