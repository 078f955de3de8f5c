"""Which files to look at: walk the given paths, skipping excluded and git-ignored ones.

Semantics follow ruff: `exclude` replaces `DEFAULT_EXCLUDES`, `extend_exclude` adds to it,
patterns are gitignore-style and relative to the project root, and a file or directory
named on the command line is taken even when a pattern excludes it, unless
`force_exclude` (ruff's `force-exclude`, for hooks that name every changed file). Directories are pruned
before they are entered, and directory symlinks met while walking are not followed, so
symlink loops cannot hang the walk.

Migrations are excluded by default: rewriting one rewrites history that has already run
on every database. Besides the patterns, the defaults skip an Alembic `versions/` folder
wherever it sits, known by the `env.py` or `script.py.mako` beside it.

Test code is skipped by default too (`include_tests` takes it): pytest's conventions name
it (`test_*.py`, `*_test.py`, `conftest.py`, `tests/` and `test/` folders), as does Django's
(`tests.py`, the module `startapp` creates in every app), and a test's
loop over a handful of fixture rows is not a round trip any user waits for; a batch
function written for it is code only that test would call. A test file or folder named on
the command line is checked (unless `force_exclude`), as with the other excludes.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from n1fix.engine.ignore_patterns import compile_pattern
from n1fix.engine.fileio import TEMP_NAME, SourceError, os_error_reason, read_regular

__all__ = [
    "DEFAULT_EXCLUDES",
    "TEST_PATTERNS",
    "PROJECT_MARKERS",
    "DiscoveryResult",
    "discover",
    "find_project_root",
]

if TYPE_CHECKING:
    import pathspec

PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")

DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "venv",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    ".n1fix_cache",
    # Any folder whose name says migrations (`migrations`, `_migrations`, `db_migrations`).
    "*migrations*/",
    # "alembic/versions" alone would be anchored at the root; Alembic dirs live anywhere.
    "**/alembic/versions",
)
# Test code by pytest's and Django's conventions; a switch of its own (`include_tests`), not part of
# DEFAULT_EXCLUDES, so that replacing the excludes does not bring tests back by accident.
TEST_PATTERNS: tuple[str, ...] = (
    "test_*.py",
    "*_test.py",
    "conftest.py",
    # Django's `startapp` writes an app's tests to `tests.py` (not `test*` by pytest's rules).
    "tests.py",
    "tests/",
    "test/",
)
# Beside a folder named `versions`, these make it Alembic's (see `_is_alembic_versions`).
ALEMBIC_MARKERS = ("env.py", "script.py.mako")


@dataclass
class DiscoveryResult:
    """The files to check (sorted, unique, absolute), the paths that could not be used,
    `*.py` entries that are not files (skipped, each worth a line) and temp files an
    interrupted n1fix run left (`.name.py.1a2b3c4d.n1fix-tmp`)."""

    files: list[Path] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)
    skipped: list[SourceError] = field(default_factory=list)
    temps: list[Path] = field(default_factory=list)
    # What decides the answer besides the files found (for a memo of it): the folders
    # listed, the ignore files read or looked for, and the paths whose existence alone
    # placed the git checkout's top.
    listed: list[str] = field(default_factory=list)
    read: list[str] = field(default_factory=list)
    probed: list[str] = field(default_factory=list)


def find_project_root(paths: Sequence[Path], cwd: Path | None = None) -> Path:
    """The nearest directory, from the paths' common parent upwards, holding a project marker.

    Relative paths are taken relative to `cwd` (default: the current directory); when no
    ancestor has a marker, `cwd` itself is the root.
    """
    # os.path.realpath, unlike Path.resolve on 3.11, does not raise on a symlink loop.
    base = Path(os.path.realpath(cwd or Path.cwd()))
    starts = [Path(os.path.realpath(base / p)) for p in paths] or [base]
    dirs = [p if p.is_dir() else p.parent for p in starts]
    common = Path(os.path.commonpath(dirs))
    for candidate in (common, *common.parents):
        if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
            return candidate
    return base


def discover(
    paths: Sequence[Path],
    *,
    root: Path,
    exclude: Sequence[str] | None = None,
    extend_exclude: Sequence[str] = (),
    respect_gitignore: bool = True,
    force_exclude: bool = False,
    include_tests: bool = False,
) -> DiscoveryResult:
    """Find the Python files under `paths`.

    A path that is a file is taken as is; a directory is walked for ``*.py`` files that no
    exclude pattern and (with `respect_gitignore`) no ``.gitignore`` or
    ``.git/info/exclude`` rule matches. With `force_exclude`, a path the excludes match
    (itself or a folder it is in) is skipped too. A path that cannot be used becomes an
    error entry and the others are still walked. Test code is skipped unless
    `include_tests`, or (without `force_exclude`) a path named is test code itself.
    """
    root = Path(os.path.abspath(root))
    defaults = [*(DEFAULT_EXCLUDES if exclude is None else exclude)]
    # Compiled only when some path needs them: a run over files named one by one, the
    # way a pre-commit hook runs, asks no pattern.
    with_tests = _lazy_rules(root, [*defaults, *TEST_PATTERNS, *extend_exclude])
    without_tests = _lazy_rules(root, [*defaults, *extend_exclude])
    tests_only = _lazy_rules(root, TEST_PATTERNS)
    alembic = exclude is None  # part of the defaults: `exclude` replaces it too
    result = DiscoveryResult()
    found: set[Path] = set()

    for given in paths:
        path = Path(os.path.abspath(given))
        try:
            is_dir = stat.S_ISDIR(os.stat(path).st_mode)
        except OSError as exc:
            result.errors.append(SourceError(given, os_error_reason(exc)))
            continue
        if not is_dir and not force_exclude:
            # A file named is taken as it is: no pattern is asked (nor compiled).
            found.add(path)
            result.temps.extend(_own_temps(path))
            continue
        base = _anchor(path, root)
        named_test_code = _excluded_with_parents(
            path, is_dir, _Rules(base, tests_only().patterns), False
        )
        skip_tests = not include_tests and (force_exclude or not named_test_code)
        rules = _Rules(base, (with_tests if skip_tests else without_tests)().patterns)
        if force_exclude and _excluded_with_parents(path, is_dir, rules, alembic):
            continue
        if not is_dir:
            found.add(path)
            result.temps.extend(_own_temps(path))
            continue
        ignores = _inherited_gitignores(path, base, result) if respect_gitignore else []
        walker = _Walker(rules, respect_gitignore, found, result, alembic)
        walker.walk(path, ignores)

    result.files = sorted(found)
    result.temps.sort()
    return result


def _own_temps(path: Path) -> list[Path]:
    """Temp files `write_atomic` may have left next to the file `path`."""
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    prefix = f".{path.name}."
    return [
        path.parent / name
        for name in names
        if name.startswith(prefix) and TEMP_NAME.match(name)
    ]


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _anchor(start: Path, root: Path) -> Path:
    """`root` spelled the way `start` is (they may differ by symlinks), or `start` itself
    when it lies outside `root`: the directory exclude patterns are relative to."""
    if start.is_relative_to(root):
        return root
    real_start, real_root = Path(os.path.realpath(start)), Path(os.path.realpath(root))
    if not real_start.is_relative_to(real_root):
        return start
    depth = len(real_start.relative_to(real_root).parts)
    return start.parents[depth - 1] if depth else start


def _is_alembic_versions(directory: Path) -> bool:
    """`versions/` next to Alembic's `env.py` or `script.py.mako`: migration scripts."""
    return directory.name == "versions" and any(
        (directory.parent / marker).is_file() for marker in ALEMBIC_MARKERS
    )


def _excluded_with_parents(
    path: Path, is_dir: bool, rules: _Rules, alembic: bool
) -> bool:
    """Whether the excludes match `path` or a folder it sits in, below the root."""
    if rules.verdict(path, is_dir) or (
        alembic and is_dir and _is_alembic_versions(path)
    ):
        return True
    for parent in path.parents:
        if not parent.is_relative_to(rules.base) or parent == rules.base:
            return False
        if rules.verdict(parent, True) or (alembic and _is_alembic_versions(parent)):
            return True
    return False


def _lazy_rules(base: Path, lines: list[str]) -> Callable[[], _Rules]:
    return functools.cache(lambda: _Rules.from_lines(base, lines))


# A named group of pathspec's regexes; several patterns joined into one must not repeat it.
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
_ANY_DEPTH = "^(?:.+/)?"


def _any_of(patterns: tuple[pathspec.Pattern, ...]) -> re.Pattern | None:
    """One regex matching wherever any of the patterns matches (most paths match none,
    and one search rules them all out), or None when the patterns cannot be joined."""
    regexes = [getattr(pattern, "regex", None) for pattern in patterns]
    if not regexes or any(
        not isinstance(regex, re.Pattern)
        or not isinstance(regex.pattern, str)
        or "(?P=" in regex.pattern
        or regex.flags != regexes[0].flags
        for regex in regexes
    ):
        return None
    sources = [_NAMED_GROUP.sub("(?:", regex.pattern) for regex in regexes]
    # Most start "at any depth": that part once, not once per pattern (each would scan
    # the path's folders again).
    deep = [s[len(_ANY_DEPTH) :] for s in sources if s.startswith(_ANY_DEPTH)]
    others = [s for s in sources if not s.startswith(_ANY_DEPTH)]
    parts = [f"(?:{source})" for source in others]
    if deep:
        parts.append(_ANY_DEPTH + "(?:" + "|".join(f"(?:{d})" for d in deep) + ")")
    joined = "|".join(parts)
    try:
        return re.compile(joined, regexes[0].flags)
    except re.error:
        return None


@dataclass(frozen=True)
class _Rules:
    """Gitignore-style patterns anchored at `base`, last match wins."""

    base: Path
    patterns: tuple[pathspec.Pattern, ...]
    _any: re.Pattern | None = field(init=False, repr=False, compare=False)
    _prefix: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_any", _any_of(self.patterns))
        base = str(self.base)
        object.__setattr__(self, "_prefix", base if base.endswith("/") else base + "/")

    @classmethod
    def from_lines(cls, base: Path, lines: Iterable[str]) -> _Rules:
        compiled = (compile_pattern(line) for line in lines)
        return cls(base, tuple(p for p in compiled if p.include is not None))

    def verdict(self, path: Path, is_dir: bool) -> bool | None:
        """True if ignored, False if re-included by a ``!`` pattern, None if no rule applies."""
        try:
            rel = path.relative_to(self.base).as_posix()
        except ValueError:
            return None
        return self._verdict(rel, is_dir)

    def verdict_at(self, path: str, is_dir: bool) -> bool | None:
        """`verdict` of an absolute, normalised path as `os.scandir` spells it (no
        `Path` built: the walk asks this of every entry)."""
        if not path.startswith(self._prefix):
            return self.verdict(Path(path), is_dir)
        return self._verdict(path[len(self._prefix) :], is_dir)

    def _verdict(self, rel: str, is_dir: bool) -> bool | None:
        parent = rel.rpartition("/")[0]
        rel += "/" if is_dir else ""
        if self._any is not None and self._any.search(rel) is None:
            return None
        for pattern in reversed(self.patterns):
            # pathspec matches a directory's descendants too. A match the parent already
            # has is inherited, not the path's own: it only matters for a directory the
            # user named explicitly, which is walked even when excluded (as in ruff).
            if pattern.match_file(rel) and not (
                parent and pattern.match_file(parent + "/")
            ):
                return pattern.include
        return None


def _read_gitignore(
    directory: Path, *names: str, result: DiscoveryResult
) -> _Rules | None:
    result.read.append(str(directory.joinpath(*names)))
    try:
        text = read_regular(directory.joinpath(*names)).decode(
            "utf-8", errors="replace"
        )
    except OSError:
        return None
    rules = _Rules.from_lines(directory, text.splitlines())
    return rules if rules.patterns else None


def _inherited_gitignores(
    start: Path, base: Path, result: DiscoveryResult
) -> list[_Rules]:
    """Ignore rules from above `start`: ``.git/info/exclude`` and parent ``.gitignore`` files.

    They are read from the enclosing git checkout's top (or `base`, outside git)
    down to `start`'s parent; `start`'s own ``.gitignore`` is read when it is walked.
    """
    top = None
    for directory in (start, *start.parents):
        result.probed.append(str(directory / ".git"))
        if (directory / ".git").exists():
            top = directory
            break
    if top is None:
        top = base
    rules = [_read_gitignore(top, ".git", "info", "exclude", result=result)]
    chain = [d for d in (start, *start.parents) if d.is_relative_to(top) and d != start]
    rules += [_read_gitignore(d, ".gitignore", result=result) for d in reversed(chain)]
    return [r for r in rules if r is not None]


@dataclass
class _Walker:
    excludes: _Rules
    respect_gitignore: bool
    found: set[Path]
    result: DiscoveryResult
    alembic_versions: bool = (
        True  # skip Alembic `versions/` folders (a default exclude)
    )

    def walk(self, start: Path, inherited: list[_Rules]) -> None:
        stack: list[tuple[Path, list[_Rules]]] = [(start, inherited)]
        while stack:
            directory, ignores = stack.pop()
            self.result.listed.append(str(directory))
            try:
                with os.scandir(directory) as it:
                    entries = list(it)
            except OSError as exc:
                self.result.errors.append(SourceError(directory, os_error_reason(exc)))
                continue
            if self.respect_gitignore and any(e.name == ".gitignore" for e in entries):
                own = _read_gitignore(directory, ".gitignore", result=self.result)
                ignores = [*ignores, own] if own else ignores
            for entry in entries:
                self._visit(entry, ignores, stack)

    def _visit(
        self,
        entry: os.DirEntry[str],
        ignores: list[_Rules],
        stack: list[tuple[Path, list[_Rules]]],
    ) -> None:
        is_link = entry.is_symlink()
        is_dir = not is_link and entry.is_dir(follow_symlinks=False)
        if not is_dir and not entry.name.endswith(".py"):
            if entry.name.endswith(".n1fix-tmp") and TEMP_NAME.match(entry.name):
                self.result.temps.append(Path(entry.path))
            return
        if self._skipped(entry.path, is_dir, ignores):
            return
        path = Path(entry.path)
        if is_dir:
            stack.append((path, ignores))
            return
        # A link to a file is taken; a dangling or looping *.py link, or a *.py that is
        # not a file (a FIFO would block the read), is worth a word: the user meant it
        # to be source.
        try:
            mode = (
                entry.stat(follow_symlinks=False).st_mode
                if not is_link
                else os.stat(path).st_mode
            )
        except OSError as exc:
            self.result.errors.append(SourceError(path, os_error_reason(exc)))
            return
        if stat.S_ISREG(mode):
            self.found.add(path)
        elif not stat.S_ISDIR(mode):
            self.result.skipped.append(
                SourceError(path, f"{_kind(mode)}, not a file; skipped")
            )

    def _skipped(self, path: str, is_dir: bool, ignores: list[_Rules]) -> bool:
        if self.excludes.verdict_at(path, is_dir):
            return True
        if (
            is_dir
            and self.alembic_versions
            and path.endswith("/versions")
            and _is_alembic_versions(Path(path))
        ):
            return True
        # The deepest .gitignore with an opinion decides, as in git.
        for rules in reversed(ignores):
            verdict = rules.verdict_at(path, is_dir)
            if verdict is not None:
                return verdict
        return False
