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


def test_two_findings_with_identical_code_each_get_their_own_fix(
    tmp_path: Path, monkeypatch
) -> None:
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
    assert first.index("session.get(User, project.user_id)") > second.index(
        "session.get(User, project.user_id)"
    )


def test_the_last_of_more_findings_than_fix_passes_gets_its_own_fix(
    tmp_path: Path, monkeypatch
) -> None:
    from n1fix.engine.fixer import MAX_PASSES

    loops = "".join(
        f"\n\ndef owner_{n}(session: Session, projects: list[Project]) -> list[str]:\n"
        f"    return [session.get(User, project.user_id).email for project in projects]\n"
        for n in range(MAX_PASSES + 5)
    )
    service = (
        "from sqlalchemy.orm import Session\n\nfrom app.models import Project, User\n"
        + loops
    )
    root = make_project(tmp_path / "proj", service)
    monkeypatch.chdir(root)
    config = load_config(root).merged(cache=False)
    result = run([root], root, config, jobs=1)
    assert len(result.findings) == MAX_PASSES + 5
    last = result.findings[-1]
    fixes = single_fixes([last], root, config, result.project)
    assert key(last) in fixes
    assert (
        fixes[key(last)].new_text.count("session.get(User, project.user_id)")
        == MAX_PASSES + 4
    )
