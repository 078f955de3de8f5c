"""File discovery on real trees: excludes, .gitignore, explicit paths, bad paths, symlinks."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from n1fix.engine.discovery import (
    DEFAULT_EXCLUDES,
    DiscoveryResult,
    discover,
    find_project_root,
)


def make(root: Path, *names: str, text: str = "x = 1\n") -> None:
    """Create files (or, for names ending in '/', directories) under root."""
    for name in names:
        path = root / name
        if name.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)


def rel(result: DiscoveryResult, root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in result.files]


def scan(root: Path, *paths: str | Path, **options: object) -> DiscoveryResult:
    given = [root / p for p in paths] or [root]
    return discover(given, root=root, **options)  # type: ignore[arg-type]


# --- project root ----------------------------------------------------------------------------


def test_project_root_is_nearest_marker(tmp_path: Path) -> None:
    make(
        tmp_path,
        "repo/.git/",
        "repo/pyproject.toml",
        "repo/sub/pkg/a.py",
        "repo/sub/setup.cfg",
    )
    repo = tmp_path / "repo"
    assert find_project_root([repo / "sub/pkg/a.py"]) == (repo / "sub").resolve()
    assert find_project_root([repo / "sub/pkg", repo / "README"]) == repo.resolve()


def test_project_root_relative_paths_use_cwd(tmp_path: Path) -> None:
    make(tmp_path, "proj/pyproject.toml", "proj/src/a.py")
    proj = tmp_path / "proj"
    assert find_project_root([Path("src/a.py")], cwd=proj / "src") == proj.resolve()
    assert find_project_root([], cwd=proj / "src") == proj.resolve()


def test_project_root_falls_back_to_cwd(tmp_path: Path) -> None:
    make(tmp_path, "plain/a.py")
    plain = tmp_path / "plain"
    found = find_project_root([plain / "a.py"], cwd=plain)
    # Some ancestor of tmp_path may hold a marker; otherwise it is cwd.
    assert found == plain.resolve() or found in plain.resolve().parents


def test_project_root_survives_symlink_loop(tmp_path: Path) -> None:
    make(tmp_path, "proj/pyproject.toml")
    loop = tmp_path / "proj" / "loop"
    loop.symlink_to(loop)
    assert find_project_root([loop], cwd=tmp_path) == (tmp_path / "proj").resolve()


# --- walking ---------------------------------------------------------------------------------


def test_finds_only_py_sorted_absolute(tmp_path: Path) -> None:
    make(tmp_path, "b.py", "a/z.py", "a/y.pyi", "README.md", "a/c.txt")
    result = scan(tmp_path)
    assert rel(result, tmp_path) == ["a/z.py", "b.py"]
    assert all(p.is_absolute() for p in result.files)
    assert result.errors == []


def test_default_excludes(tmp_path: Path) -> None:
    make(
        tmp_path,
        "app/models.py",
        ".venv/lib/x.py",
        "venv/x.py",
        "node_modules/x.py",
        "app/build/x.py",
        "app/migrations/0001.py",
        "db/alembic/versions/abc.py",
        "db/alembic/env.py",
        ".git/hooks/x.py",
    )
    assert rel(scan(tmp_path), tmp_path) == ["app/models.py", "db/alembic/env.py"]


def test_migrations_are_excluded_by_default(tmp_path: Path) -> None:
    make(
        tmp_path,
        "app/models.py",
        "app/migrations_helpers.py",  # a file, not a migrations folder
        "src/app/server/database/_migrations/versions/2024_01_01_abc.py",  # prefect
        "app/store/db_migrations/versions/abc.py",  # mlflow
        "app/migration/env.py",  # ckan: `migration`, an Alembic env with its versions
        "app/migration/versions/001_add.py",
        "plugin/alembic_env/script.py.mako",
        "plugin/alembic_env/versions/002_add.py",
        "api/execution_api/versions/v2024.py",  # API versions, no Alembic env beside them
    )
    assert rel(scan(tmp_path), tmp_path) == [
        "api/execution_api/versions/v2024.py",
        "app/migration/env.py",
        "app/migrations_helpers.py",
        "app/models.py",
    ]
    # The Alembic rule is one of the defaults: `exclude` replaces it with the rest.
    assert "app/migration/versions/001_add.py" in rel(
        scan(tmp_path, exclude=[]), tmp_path
    )


def test_migrations_named_on_the_command_line_are_scanned(tmp_path: Path) -> None:
    make(
        tmp_path,
        "app/migrations/versions/abc.py",
        "app/migration/env.py",
        "app/migration/versions/001.py",
    )
    assert rel(scan(tmp_path, "app/migrations"), tmp_path) == [
        "app/migrations/versions/abc.py"
    ]
    assert rel(scan(tmp_path, "app/migration/versions"), tmp_path) == [
        "app/migration/versions/001.py"
    ]
    assert rel(scan(tmp_path, "app/migrations/versions/abc.py"), tmp_path) == [
        "app/migrations/versions/abc.py"
    ]


def test_test_code_is_skipped_by_default(tmp_path: Path) -> None:
    """pytest's conventions name test code: a test's loop over a few fixtures is no N+1."""
    make(
        tmp_path,
        "app/models.py",
        "app/testing_utils.py",  # not a test file by name
        "app/latest.py",
        "app/test_models.py",
        "app/models_test.py",
        "app/tests.py",  # Django's startapp
        "app/testsuite.py",  # not a test file by name
        "conftest.py",
        "tests/helpers.py",
        "pkg/tests/lib/search/query.py",
        "pkg/test/fixtures.py",
    )
    assert rel(scan(tmp_path), tmp_path) == [
        "app/latest.py",
        "app/models.py",
        "app/testing_utils.py",
        "app/testsuite.py",
    ]
    assert len(scan(tmp_path, include_tests=True).files) == 11
    # A separate switch: replacing the default excludes does not bring tests back.
    assert "conftest.py" not in rel(scan(tmp_path, exclude=[]), tmp_path)


def test_test_code_named_on_the_command_line_is_scanned(tmp_path: Path) -> None:
    make(
        tmp_path,
        "tests/test_a.py",
        "tests/sub/conftest.py",
        "app/test_b.py",
        "app/c.py",
    )
    assert rel(scan(tmp_path, "tests"), tmp_path) == [
        "tests/sub/conftest.py",
        "tests/test_a.py",
    ]
    assert rel(scan(tmp_path, "app/test_b.py"), tmp_path) == ["app/test_b.py"]
    assert rel(scan(tmp_path, "app"), tmp_path) == ["app/c.py"]
    # pre-commit names every changed file: with force-exclude, test code stays out.
    assert (
        rel(scan(tmp_path, "app/test_b.py", "tests", force_exclude=True), tmp_path)
        == []
    )


def test_force_exclude_applies_the_excludes_to_named_paths(tmp_path: Path) -> None:
    make(
        tmp_path,
        "app/a.py",
        "app/migrations/versions/abc.py",
        "app/migration/env.py",
        "app/migration/versions/001.py",
        "build/b.py",
    )
    named = [
        "app/a.py",
        "app/migrations/versions/abc.py",
        "app/migration/versions/001.py",
        "build/b.py",
        "app/migrations",
        "app/migration/versions",
    ]
    assert rel(scan(tmp_path, *named, force_exclude=True), tmp_path) == ["app/a.py"]
    # what the excludes do not match is still taken
    assert rel(
        scan(tmp_path, "app/migration/env.py", force_exclude=True), tmp_path
    ) == ["app/migration/env.py"]


def test_extend_exclude_adds_to_defaults(tmp_path: Path) -> None:
    make(tmp_path, "app/a.py", "generated/g.py", "build/b.py", "app/x_pb2.py")
    result = scan(tmp_path, extend_exclude=["generated", "*_pb2.py"])
    assert rel(result, tmp_path) == ["app/a.py"]


def test_exclude_replaces_defaults(tmp_path: Path) -> None:
    make(tmp_path, "app/a.py", "generated/g.py", "build/b.py")
    result = scan(tmp_path, exclude=["generated"])
    assert rel(result, tmp_path) == ["app/a.py", "build/b.py"]
    assert rel(scan(tmp_path, exclude=[]), tmp_path) == [
        "app/a.py",
        "build/b.py",
        "generated/g.py",
    ]


def test_exclude_patterns_are_relative_to_root(tmp_path: Path) -> None:
    make(
        tmp_path,
        "proj/pyproject.toml",
        "proj/src/legacy/a.py",
        "proj/legacy/b.py",
        "proj/c.py",
    )
    proj = tmp_path / "proj"
    result = discover([proj / "src"], root=proj, exclude=["/legacy", "src/legacy/"])
    assert rel(result, proj) == []
    result = discover([proj], root=proj, exclude=["/legacy"])
    assert rel(result, proj) == ["c.py", "src/legacy/a.py"]


def test_explicit_file_included_even_if_excluded(tmp_path: Path) -> None:
    make(tmp_path, "build/gen.py", "migrations/0001.py", "script")
    result = scan(tmp_path, "build/gen.py", "script")
    assert rel(result, tmp_path) == ["build/gen.py", "script"]
    (tmp_path / ".gitignore").write_text("migrations/\n")
    assert rel(scan(tmp_path, "migrations/0001.py"), tmp_path) == ["migrations/0001.py"]


def test_explicit_excluded_directory_is_walked_but_filtered_inside(
    tmp_path: Path,
) -> None:
    make(
        tmp_path, "migrations/0001.py", "migrations/build/x.py", "migrations/keep/y.py"
    )
    result = scan(tmp_path, "migrations")
    assert rel(result, tmp_path) == ["migrations/0001.py", "migrations/keep/y.py"]


def test_explicit_directory_inside_excluded_tree(tmp_path: Path) -> None:
    make(tmp_path, ".venv/lib/pkg/mod.py", ".venv/lib/pkg/sub/m.py")
    result = scan(tmp_path, ".venv/lib/pkg")
    assert rel(result, tmp_path) == [".venv/lib/pkg/mod.py", ".venv/lib/pkg/sub/m.py"]


def test_duplicates_removed(tmp_path: Path) -> None:
    make(tmp_path, "a.py", "pkg/b.py")
    result = discover(
        [
            tmp_path,
            tmp_path / "a.py",
            tmp_path / "pkg",
            tmp_path / "pkg" / ".." / "a.py",
        ],
        root=tmp_path,
    )
    assert rel(result, tmp_path) == ["a.py", "pkg/b.py"]


def test_nonexistent_path_reported_and_rest_found(tmp_path: Path) -> None:
    make(tmp_path, "a.py", "pkg/b.py")
    missing = tmp_path / "nope.py"
    result = discover([missing, tmp_path / "pkg", tmp_path / "a.py"], root=tmp_path)
    assert rel(result, tmp_path) == ["a.py", "pkg/b.py"]
    assert [str(e) for e in result.errors] == [f"{missing}: no such file or directory"]


def test_unreadable_directory_reported(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can list any directory")
    make(tmp_path, "a.py", "secret/b.py")
    (tmp_path / "secret").chmod(0)
    try:
        result = scan(tmp_path)
    finally:
        (tmp_path / "secret").chmod(0o755)
    assert rel(result, tmp_path) == ["a.py"]
    assert [e.reason for e in result.errors] == ["permission denied"]


# --- .gitignore ------------------------------------------------------------------------------


def test_gitignore_honoured(tmp_path: Path) -> None:
    make(tmp_path, ".git/", "app/a.py", "app/gen.py", "out/x.py", "tmp_1.py")
    (tmp_path / ".gitignore").write_text("# generated\nout/\napp/gen.py\ntmp_*.py\n")
    assert rel(scan(tmp_path), tmp_path) == ["app/a.py"]
    result = scan(tmp_path, respect_gitignore=False)
    assert rel(result, tmp_path) == ["app/a.py", "app/gen.py", "out/x.py", "tmp_1.py"]


def test_nested_gitignore_and_negation(tmp_path: Path) -> None:
    make(
        tmp_path,
        ".git/",
        "a.py",
        "pkg/local.py",
        "pkg/keep_local.py",
        "pkg/sub/local.py",
        "other/local.py",
    )
    (tmp_path / ".gitignore").write_text("*_local.py\n")
    # Patterns in a nested .gitignore are relative to its directory and override the parent.
    (tmp_path / "pkg" / ".gitignore").write_text("/local.py\n!keep_local.py\n")
    assert rel(scan(tmp_path), tmp_path) == [
        "a.py",
        "other/local.py",
        "pkg/keep_local.py",
        "pkg/sub/local.py",
    ]


def test_git_info_exclude_honoured(tmp_path: Path) -> None:
    make(tmp_path, ".git/info/", "a.py", "scratch/s.py")
    (tmp_path / ".git" / "info" / "exclude").write_text("scratch/\n")
    assert rel(scan(tmp_path), tmp_path) == ["a.py"]


def test_parent_gitignore_applies_to_subdirectory_walk(tmp_path: Path) -> None:
    make(tmp_path, ".git/", "proj/pyproject.toml", "proj/src/a.py", "proj/src/gen/g.py")
    (tmp_path / ".gitignore").write_text("gen/\n")
    proj = tmp_path / "proj"
    assert rel(discover([proj / "src"], root=proj), proj) == ["src/a.py"]


def test_gitignore_does_not_reinclude_inside_ignored_directory(tmp_path: Path) -> None:
    make(tmp_path, ".git/", "a.py", "out/x.py")
    (tmp_path / ".gitignore").write_text("out/\n!out/x.py\n")
    assert rel(scan(tmp_path), tmp_path) == ["a.py"]


# --- symlinks --------------------------------------------------------------------------------


def test_symlink_loops_terminate(tmp_path: Path) -> None:
    make(tmp_path, "pkg/a.py")
    (tmp_path / "pkg" / "self").symlink_to(tmp_path / "pkg")
    (tmp_path / "pkg" / "up").symlink_to("..")
    (tmp_path / "loop.py").symlink_to(tmp_path / "loop.py")
    start = time.monotonic()
    result = scan(tmp_path)
    assert time.monotonic() - start < 5
    assert rel(result, tmp_path) == ["pkg/a.py"]
    assert [str(e) for e in result.errors] == [f"{tmp_path / 'loop.py'}: symlink loop"]


def test_explicit_symlink_loop_reported(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    result = discover([loop], root=tmp_path)
    assert result.files == []
    assert [e.reason for e in result.errors] == ["symlink loop"]


def test_symlinked_file_is_taken(tmp_path: Path) -> None:
    make(tmp_path, "real/a.txt")
    (tmp_path / "link.py").symlink_to(tmp_path / "real" / "a.txt")
    assert rel(scan(tmp_path), tmp_path) == ["link.py"]


# --- speed -----------------------------------------------------------------------------------


def test_fast_on_a_large_tree(tmp_path: Path) -> None:
    for d in range(60):
        pkg = tmp_path / f"pkg{d}" / "sub"
        pkg.mkdir(parents=True)
        for f in range(50):
            (pkg / f"m{f}.py").write_text("")
    make(tmp_path, ".venv/lib/big.py", ".git/")
    (tmp_path / ".gitignore").write_text("*.pyc\n__pycache__/\n")
    start = time.monotonic()
    result = scan(tmp_path)
    elapsed = time.monotonic() - start
    assert len(result.files) == 3000
    # Generous bound for slow CI; it takes well under 0.3 s on a laptop.
    assert elapsed < 3, elapsed


def test_default_excludes_shape() -> None:
    assert ".venv" in DEFAULT_EXCLUDES and "*migrations*/" in DEFAULT_EXCLUDES


def test_root_and_paths_spelled_through_different_symlinks(tmp_path: Path) -> None:
    make(
        tmp_path,
        "real/proj/pyproject.toml",
        "real/proj/legacy/a.py",
        "real/proj/src/b.py",
    )
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    root = find_project_root([tmp_path / "alias" / "proj" / "src"])
    assert root == (tmp_path / "real" / "proj").resolve()
    via_alias = tmp_path / "alias" / "proj"
    result = discover([via_alias], root=root, exclude=["/legacy"])
    assert [p.relative_to(via_alias).as_posix() for p in result.files] == ["src/b.py"]


# --- what is not a file ----------------------------------------------------------------------


def test_a_fifo_named_py_is_skipped_with_a_word(tmp_path: Path) -> None:
    make(tmp_path, "a.py")
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "link.py").symlink_to(tmp_path / "pipe.py")
    result = scan(tmp_path)
    assert rel(result, tmp_path) == ["a.py"]
    assert result.errors == []
    assert sorted(str(e) for e in result.skipped) == [
        f"{tmp_path / 'link.py'}: a FIFO, not a file; skipped",
        f"{tmp_path / 'pipe.py'}: a FIFO, not a file; skipped",
    ]


def test_temp_files_of_n1fix_are_found_and_nothing_else(tmp_path: Path) -> None:
    make(
        tmp_path,
        "a.py",
        "pkg/b.py",
        "pkg/.b.py.0123abcd.n1fix-tmp",
        ".a.py.0123abcd.n1fix-tmp",
        "pkg/.b.py.n1fix-tmp",
        "pkg/.b.py.0123ABCD.n1fix-tmp",
        "c.txt",
    )
    assert [p.relative_to(tmp_path).as_posix() for p in scan(tmp_path).temps] == [
        ".a.py.0123abcd.n1fix-tmp",
        "pkg/.b.py.0123abcd.n1fix-tmp",
    ]
    # A file named on the command line: the temps of that file only.
    assert [p.name for p in scan(tmp_path, "pkg/b.py").temps] == [
        ".b.py.0123abcd.n1fix-tmp"
    ]
    assert scan(tmp_path, "a.py").files == [tmp_path / "a.py"]
