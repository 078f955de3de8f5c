"""working_tree_dirty against real temporary git repositories."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from n1fix.engine.gitstate import working_tree_dirty

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None, reason="git is not installed"
)


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=test@example.com", "-c", "user.name=Test", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    (tmp_path / "a.py").write_text("x = 1\n")
    git(tmp_path, "add", "a.py")
    git(tmp_path, "commit", "-q", "-m", "first")
    return tmp_path


def test_clean(repo: Path) -> None:
    assert working_tree_dirty(repo) is False


def test_modified_file(repo: Path) -> None:
    (repo / "a.py").write_text("x = 2\n")
    assert working_tree_dirty(repo) is True


def test_staged_change(repo: Path) -> None:
    (repo / "b.py").write_text("y = 1\n")
    git(repo, "add", "b.py")
    assert working_tree_dirty(repo) is True


def test_untracked_file(repo: Path) -> None:
    (repo / "new.py").write_text("")
    assert working_tree_dirty(repo) is True


def test_ignored_file_is_clean(repo: Path) -> None:
    (repo / ".gitignore").write_text("*.log\n")
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-q", "-m", "ignore logs")
    (repo / "run.log").write_text("noise")
    assert working_tree_dirty(repo) is False


def test_only_changes_under_root_count(repo: Path) -> None:
    (repo / "proj").mkdir()
    (repo / "proj" / "m.py").write_text("")
    git(repo, "add", "proj")
    git(repo, "commit", "-q", "-m", "proj")
    (repo / "a.py").write_text("x = 3\n")
    assert working_tree_dirty(repo / "proj") is False
    assert working_tree_dirty(repo) is True


def test_not_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Stop git from finding a repository above tmp_path.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert working_tree_dirty(tmp_path) is None


def test_missing_directory(tmp_path: Path) -> None:
    assert working_tree_dirty(tmp_path / "nope") is None


def test_git_missing(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "no-bin-here"))
    assert working_tree_dirty(repo) is None


def test_timeout(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_bin = repo.parent / "slowbin"
    fake_bin.mkdir()
    fake_git = fake_bin / "git"
    fake_git.write_text("#!/bin/sh\nexec sleep 5\n")
    fake_git.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake_bin}:/usr/bin:/bin")
    assert working_tree_dirty(repo, timeout=0.2) is None


def test_timeout_with_lingering_child(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_bin = repo.parent / "slowbin2"
    fake_bin.mkdir()
    fake_git = fake_bin / "git"
    # The background sleep inherits stdout; only killing the group lets us return.
    fake_git.write_text("#!/bin/sh\nsleep 30 &\nsleep 30\n")
    fake_git.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake_bin}:/usr/bin:/bin")
    start = time.monotonic()
    assert working_tree_dirty(repo, timeout=0.2) is None
    assert time.monotonic() - start < 5


def test_runs_no_command_the_repository_config_names(
    repo: Path, tmp_path_factory
) -> None:
    ran = tmp_path_factory.mktemp("ran")
    git(repo, "config", "core.fsmonitor", f"touch {ran}/fsmonitor; true")
    git(repo, "config", "filter.evil.clean", f"touch {ran}/clean; cat")
    git(repo, "config", "filter.evil.process", f"touch {ran}/process")
    (repo / ".gitattributes").write_text("* filter=evil\n")
    (repo / "a.py").write_text("x = 3\n")  # changed stat data: status would clean it
    assert working_tree_dirty(repo) is True
    assert sorted(p.name for p in ran.iterdir()) == []
