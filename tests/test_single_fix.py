"""Each finding's fix on its own (SARIF `fixes`, the audit, the ecosystem check)."""

from __future__ import annotations

from pathlib import Path

from n1fix_project import make_project

from n1fix.config import load_config
from n1fix.engine.runner import run
from n1fix.engine.single_fix import key, single_fixes

# The same lookup twice in one line: two findings whose code is identical.
TWIN_LOOKUPS = """\
from sqlalchemy.orm import Session

from app.models import Project, User


def owners(session: Session, projects: list[Project]) -> list[tuple[str, int]]:
    rows = []
    for project in projects:
        rows.append((session.get(User, project.user_id).email, session.get(User, project.user_id).id))
    return rows
"""


def test_two_findings_with_identical_code_each_get_their_own_fix(tmp_path: Path, monkeypatch) -> None:
    root = make_project(tmp_path / "proj", TWIN_LOOKUPS)
    monkeypatch.chdir(root)
    config = load_config(root).merged(cache=False)
    result = run([root], root, config, jobs=1)
    assert [(f.line, f.column) for f in result.findings] == [(9, 22), (9, 64)]
    fixes = single_fixes(result.findings, root, config, result.project)
    assert sorted(fixes) == sorted(key(f) for f in result.findings)
    first, second = (fixes[key(f)].new_text for f in result.findings)
    assert first != second
    # Each rewrites its own lookup and leaves the other in place.
    assert first.count("session.get(User, project.user_id)") == 1
    assert second.count("session.get(User, project.user_id)") == 1
    assert first.index("session.get(User, project.user_id)") > second.index("session.get(User, project.user_id)")
