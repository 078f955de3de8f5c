"""Module names, import maps and the import closure of a project, with the stdlib `ast`.

These are the cheap, definition-level facts the project-wide indexes are built on:

- `module_name_for` names a file the way the project imports it (`src/` layouts included),
  from the file's own import root (`import_root`: a monorepo's apps each have theirs), so
  a file gets the same name whatever directory the scan started from;
- `import_map` says what each imported local name of a module stands for;
- `resolve_module_path` finds the file of a module inside the project;
- `project_closure` grows a set of files by every project module they import, so that
  scanning one service file still indexes the models it uses.

Everything here looks at statements only (never at expressions), so it costs a small
fraction of `ast.parse` itself.
"""

from __future__ import annotations

import ast
import os
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path

__all__ = [
    "STAR_PREFIX",
    "import_map",
    "import_root",
    "imported_modules",
    "module_name_for",
    "parse_file",
    "project_closure",
    "resolve_module_path",
    "top_level_names",
    "note_fact",
    "note_read",
    "resolve_relative",
]

# `from m import *` cannot name what it binds without m's contents; `import_map` records it
# under the key `STAR_PREFIX + m` (never a valid identifier) so that index look-ups can
# search m's names later.
STAR_PREFIX = "*"

_SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)

# The files that make a directory below the scan root the root of a project of its own.
IMPORT_ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py")


def import_root(path: Path, root: Path) -> Path:
    """The directory `path`'s project imports it from: the nearest one from the file's
    folder up to `root` that holds a pyproject.toml, setup.cfg or setup.py and is not a
    package itself (open-webui's `utils/telemetry/setup.py` is a module); else `root`.

    Scanning a monorepo from its top, `apps/api/app/models.py` (beside `apps/api/pyproject.toml`)
    is `app.models`, as when `apps/api` itself is scanned.
    """
    path, root = _resolved_dir(Path(path)), _resolved_dir(Path(root))
    return _folder_import_root(path if _is_dir(path) else path.parent, root)


def _folder_import_root(directory: Path, root: Path) -> Path:
    """`import_root` of a file in `directory` (both resolved)."""
    key = ("import_root", directory, root)
    if key not in _RESOLVED:
        found = root
        if _is_within(directory, root):
            for candidate in (directory, *directory.parents):
                if candidate == root:
                    break
                names = _entries_raw(candidate)
                # A package is imported from above it: its own `setup.py` is a module.
                if "__init__.py" not in names and any(
                    marker in names for marker in IMPORT_ROOT_MARKERS
                ):
                    found = candidate
                    break
        _RESOLVED[key] = found
    return _RESOLVED[key]


def module_name_for(path: Path, root: Path) -> str:
    """The dotted module name of `path` relative to its import root (`import_root`).

    `root/src/pkg/mod.py` -> `pkg.mod` (a `src/` layout), `root/pkg/__init__.py` -> `pkg`.
    A file outside `root` is named by its stem alone.
    """
    path = real_path(Path(path))
    root = _resolved_dir(Path(root))
    if _is_dir(path):
        try:
            parts = list(path.relative_to(import_root(path, root)).parts)
        except ValueError:
            parts = [path.name]
    else:
        # Every file of a folder has the same import root: the folder's part of the
        # name is worked out once.
        folder = _folder_parts(path.parent, root)
        parts = [path.name] if folder is None else [*folder, path.name]
    if len(parts) > 1 and parts[0] == "src":
        parts = parts[1:]
    last = parts[-1]
    for suffix in (".pyi", ".py"):
        if last.endswith(suffix):
            last = last[: -len(suffix)]
            break
    parts[-1] = last
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def _folder_parts(folder: Path, root: Path) -> tuple[str, ...] | None:
    """The parts of resolved `folder` below its import root, None when it is not below
    it (a file there is named by its stem)."""
    key = ("folder parts", folder, root)
    if key not in _RESOLVED:
        try:
            _RESOLVED[key] = folder.relative_to(_folder_import_root(folder, root)).parts
        except ValueError:
            _RESOLVED[key] = None
    return _RESOLVED[key]


def real_path(path: Path) -> Path:
    """`path.resolve()`, with each folder's resolution looked up once per run: a file
    that is not a symlink is its folder's real path and its own name (what
    `os.path.realpath` makes of it)."""
    if os.path.islink(path) or path.name in ("", ".", ".."):
        return path.resolve()
    return _resolved_dir(path.parent) / path.name


def resolve_relative(
    module: str | None, level: int, module_name: str, is_package: bool
) -> str | None:
    """The absolute module of `from <level dots><module> import ...` inside `module_name`.

    None when the dots climb above the top-level package.
    """
    if level == 0:
        return module
    package = module_name.split(".") if module_name else []
    if not is_package:
        package = package[:-1]
    climb = level - 1
    if climb > len(package) or (climb == len(package) and not module):
        return None
    base = package[: len(package) - climb] if climb else package
    if module:
        base = [*base, *module.split(".")]
    return ".".join(base) if base else None


# The statements with statements inside (the fields `_add_imports` reads); any other
# holds no import.
_BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")
_BLOCKS = frozenset(
    kind
    for kind in vars(ast).values()
    if isinstance(kind, type)
    and issubclass(kind, ast.stmt)
    and set(kind._fields) & set(_BLOCK_FIELDS)
)


def _add_imports(
    body: list[ast.stmt],
    top: bool,
    found: list[tuple[ast.Import | ast.ImportFrom, bool]],
) -> None:
    """Every import statement under `body`, with whether it runs at module level, in
    order (a statement's body, else and finally blocks, then its handlers and cases).

    Descends through statement bodies only; expressions are never visited.
    """
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            found.append((stmt, top))
            continue
        if type(stmt) not in _BLOCKS:
            continue
        inner_top = top and not isinstance(stmt, _SCOPE_NODES)
        for field in ("body", "orelse", "finalbody"):
            sub = getattr(stmt, field, None)
            if sub:
                _add_imports(sub, inner_top, found)
        for handler in getattr(stmt, "handlers", ()) or ():
            _add_imports(handler.body, inner_top, found)
        for case in getattr(stmt, "cases", ()) or ():
            _add_imports(case.body, inner_top, found)


# The import statements of the last tree asked about: the survey reads the same file's
# imports twice in a row (`import_map`, `imported_modules`).
_LAST_IMPORTS: tuple[ast.Module, list] | None = None


def _imports_in(tree: ast.Module) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    global _LAST_IMPORTS
    if _LAST_IMPORTS is None or _LAST_IMPORTS[0] is not tree:
        found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []
        _add_imports(tree.body, True, found)
        _LAST_IMPORTS = (tree, found)
    return _LAST_IMPORTS[1]


def import_map(
    tree: ast.Module, module_name: str, is_package: bool = False
) -> dict[str, str]:
    """Local name -> fully qualified name for every import in `tree`.

    `import a.b` binds `a` -> `a`; `import a.b as z` binds `z` -> `a.b`;
    `from a.b import C as D` binds `D` -> `a.b.C`; relative imports are resolved against
    `module_name` (`is_package` says whether the module is a package's `__init__`).
    Module-level imports (including those under `if TYPE_CHECKING:` or `try:`) win over
    imports made inside functions or classes, which only fill in names not bound at module
    level. `from m import *` is recorded as `STAR_PREFIX + m` -> `m`; unresolvable relative
    imports are skipped.
    """
    global _LAST_MAP
    # The survey asks for the same file's map in turn (its imports, the model facts,
    # the Django facts): the last answer is kept, and each caller gets its own copy.
    last = _LAST_MAP
    if (
        last is None
        or last[0] is not tree
        or last[1] != module_name
        or last[2] != is_package
    ):
        last = _LAST_MAP = (
            tree,
            module_name,
            is_package,
            _import_map(tree, module_name, is_package),
        )
    return dict(last[3])


# The last tree `import_map` read, with its arguments and its answer.
_LAST_MAP: tuple[ast.Module, str, bool, dict[str, str]] | None = None


def _import_map(tree: ast.Module, module_name: str, is_package: bool) -> dict[str, str]:
    top_level: dict[str, str] = {}
    nested: dict[str, str] = {}
    for node, top in _imports_in(tree):
        target = top_level if top else nested
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    target[alias.asname] = alias.name
                else:
                    first = alias.name.split(".", 1)[0]
                    target[first] = first
            continue
        base = resolve_relative(node.module, node.level, module_name, is_package)
        if base is None:
            continue
        for alias in node.names:
            if alias.name == "*":
                target[STAR_PREFIX + base] = base
            else:
                target[alias.asname or alias.name] = f"{base}.{alias.name}"
    for name, qualified in nested.items():
        top_level.setdefault(name, qualified)
    return top_level


def imported_modules(
    tree: ast.Module, module_name: str, is_package: bool = False
) -> list[str]:
    """Every module `tree` may import, in order: `import a.b` -> `a.b`;
    `from a import b` -> `a.b` (b may be a submodule) and `a`. Parent packages are not
    listed (see `project_closure`)."""
    seen: dict[str, None] = {}
    for node, _top in _imports_in(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                seen.setdefault(alias.name)
            continue
        base = resolve_relative(node.module, node.level, module_name, is_package)
        if base is None:
            continue
        for alias in node.names:
            if alias.name != "*":
                seen.setdefault(f"{base}.{alias.name}")
        seen.setdefault(base)
    return list(seen)


_RESOLVED: dict[tuple, Path | None] = {}
# Told of every module resolved, every project file read and every project fact used
# while the engine records what one file's check reads (`n1fix.engine.reads`); None the
# rest of the time.
_observer = None


def set_observer(observer) -> None:
    global _observer
    _observer = observer


def note_read(path: Path) -> None:
    """A check read the file `path` (its findings depend on its content)."""
    if _observer is not None:
        _observer.read(path)


def note_fact(name: str, root: Path, answer: object) -> None:
    """A check used the project fact `name` of the project at `root` (one of
    `n1fix.engine.reads.PROJECT_FACTS`, read from files that are not modules: the
    dependency files), and it answered `answer`."""
    if _observer is not None:
        _observer.fact(name, root, answer)


def clear_resolution_cache() -> None:
    """Forget file look-ups (the engine calls this at the start of every run)."""
    global _LAST_NEAR
    _RESOLVED.clear()
    _LAST_NEAR = None


def listed_folders() -> set[str]:
    """Every folder whose listing a look-up of this run read (whether it exists or not):
    a file added to or removed from one of them may change what a module resolves to."""
    return {
        str(key[1])
        for key in _RESOLVED
        if type(key) is tuple and key[0] in ("names", "entries")
    }


def _find_module_file(top: str, qualified_module: str) -> Path | None:
    """The file of `qualified_module` below the folder `top`: `a/b.py`, `a/b/__init__.py`,
    `a/b.pyi` or `a/b/__init__.pyi`."""
    # Each folder on the way must list the next name (one cached listing per folder):
    # most look-ups that find nothing (`from app.models import User` asks for a module
    # `app.models.User` too) end here, without a stat per candidate.
    package, _, last = qualified_module.rpartition(".")
    folder = _package_folder(top, package)
    if folder is None or last not in _entries_at(folder):
        return None
    stem = os.path.join(folder, last)
    for candidate in (
        stem + ".py",
        os.path.join(stem, "__init__.py"),
        stem + ".pyi",
        os.path.join(stem, "__init__.pyi"),
    ):
        path = Path(candidate)
        if path.is_file():
            return path
    return None


def _package_folder(top: str, package: str) -> str | None:
    """The folder of the dotted `package` below the folder `top` when each folder on the
    way lists the next name, else None; `top` itself for no package. Many modules of a
    package are looked up: the walk to its folder is made once."""
    if not package:
        return top
    key = ("package", top, package)
    folder = _RESOLVED.get(key, _UNKNOWN)
    if folder is _UNKNOWN:
        parent_package, _, last = package.rpartition(".")
        parent = _package_folder(top, parent_package)
        if parent is None or last not in _entries_at(parent):
            folder = None
        else:
            folder = os.path.join(parent, last)
        _RESOLVED[key] = folder
    return folder


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def resolve_module_path(
    qualified_module: str, root: Path, near: Path | None = None
) -> Path | None:
    """The file of `qualified_module` inside the project, or None.

    Looks in `root`, then `root/src`, then in every directory from `near`'s (a file or a
    directory) up to `root`, nearest first, the way a script's own directory is on
    `sys.path`: `renderapp.models` imported from `root/golden/q/case1/before.py` is found at
    `root/golden/renderapp/models.py`. Tries `a/b.py`, then `a/b/__init__.py` (and `.pyi`).
    Only files inside `root` are returned.
    """
    global _LAST_NEAR
    if not qualified_module:
        return None
    # A file's imports are looked up in a row, with the same `root` and `near`.
    last = _LAST_NEAR
    if last is not None and last[0] is root and last[1] is near:
        answers = last[2]
    else:
        near_key = ("near", root, near)
        answers = _RESOLVED.get(near_key)
        if answers is None:
            answers = _RESOLVED[near_key] = _answers_from(root, near)
        _LAST_NEAR = (root, near, answers)
    found = answers.found.get(qualified_module, _UNKNOWN)
    if found is _UNKNOWN:
        found = answers.found[qualified_module] = answers.look_up(qualified_module)
    if _observer is not None:
        _observer.resolved(qualified_module, root, near, found)
    return found


_UNKNOWN = object()
# The last `root` and `near` asked about, and their answers (cleared with `_RESOLVED`).
_LAST_NEAR: tuple[Path, Path | None, _Answers] | None = None


class _Answers:
    """The modules looked up from one folder, and their files: every file of a folder
    searches the same directories (the search starts at its folder), so each module is
    looked up once per folder, not per file."""

    __slots__ = ("root", "place", "found", "_real_root", "_directories", "_holding")

    def __init__(self, root: Path, place: Path | None) -> None:
        self.root = root
        self.place = place
        self.found: dict[str, Path | None] = {}
        self._real_root: Path | None = None
        self._directories: list[str] | None = None  # by name: the search order
        # First part of a module name -> the search directories that list it, known
        # once a look-up has read every directory's listing for that name.
        self._holding: dict[str, list[str]] = {}

    def look_up(self, qualified_module: str) -> Path | None:
        parts = qualified_module.split(".")
        if any(not part.isidentifier() for part in parts):
            return None
        if self._directories is None:
            self._real_root = _resolved_dir(Path(self.root))
            self._directories = [
                str(directory)
                for directory in _search_dirs(self._real_root, self.place)
            ]
        first = parts[0]
        # Most imports are stdlib or third party. Once a look-up has read every
        # directory's listing for a first name, the next ones look only in the
        # directories that list it: the others' listings, read already, rule them out.
        holding = self._holding.get(first)
        if holding is not None:
            for name in holding:
                found = _module_in(name, qualified_module, self._real_root)
                if found is not None:
                    return found
            return None
        holding = []
        for name in self._directories:
            # One cached look at the top-level name rules a directory out without
            # building every candidate path.
            if first not in _entries_at(name):
                continue
            holding.append(name)
            found = _module_in(name, qualified_module, self._real_root)
            if found is not None:
                return found
        self._holding[first] = holding
        return None


def _module_in(name: str, qualified_module: str, real_root: Path) -> Path | None:
    """The file of `qualified_module` in the folder `name` when it lies inside
    `real_root` once resolved, else None; one look per folder and module, whatever
    folder the search started from."""
    key = ("in", name, qualified_module, real_root)
    found = _RESOLVED.get(key, _UNKNOWN)
    if found is _UNKNOWN:
        found = _find_module_file(name, qualified_module)
        if found is not None and not _is_within(_resolved_file(found), real_root):
            found = None
        _RESOLVED[key] = found
    return found


def _answers_from(root: Path, near: Path | str | None) -> _Answers:
    """The look-ups of modules imported from `near` (a file or a folder), shared by
    every `near` of the same folder."""
    place = near
    if place is not None:
        place = place if isinstance(place, Path) else Path(place)
        if place.suffix in (".py", ".pyi"):
            place = place.parent
    key = ("answers", root, place)
    if key not in _RESOLVED:
        _RESOLVED[key] = _Answers(root, place)
    return _RESOLVED[key]


def top_level_names(root: Path, near: Path | None = None) -> frozenset[str]:
    """Every top-level module or package name a module imported from `near` could start
    with and still resolve inside the project: a module whose first part is not among
    them is not found without a look-up."""
    key = ("tops", root, near)
    if key not in _RESOLVED:
        directories = _search_dirs(_resolved_dir(root), near)
        _RESOLVED[key] = frozenset().union(*map(_entries, directories))
    return _RESOLVED[key]


def _search_dirs(root: Path, near: Path | None) -> list[Path]:
    near_dir = None
    if near is not None:
        near_dir = Path(near)
        if near_dir.suffix in (".py", ".pyi") or not _is_dir(near_dir):
            near_dir = near_dir.parent
    key = ("dirs", root, near_dir)
    if key not in _RESOLVED:
        directories: list[Path] = [root, root / "src"]
        if near_dir is not None:
            here = _resolved_dir(near_dir)
            if _is_within(here, root):
                # The file's own project first: in a monorepo, its `app` is not another app's.
                own = import_root(here, root)
                if own != root:
                    directories[:0] = [own, own / "src"]
                while here != root:
                    if here not in directories:
                        directories.append(here)
                    here = here.parent
        _RESOLVED[key] = directories
    return _RESOLVED[key]


def _entries_raw(directory: Path) -> frozenset[str]:
    """The names of everything directly in `directory`."""
    key = ("names", directory)
    if key not in _RESOLVED:
        try:
            with os.scandir(directory) as it:
                _RESOLVED[key] = frozenset(entry.name for entry in it)
        except OSError:
            _RESOLVED[key] = frozenset()
    return _RESOLVED[key]


def _entries(directory: Path) -> frozenset[str]:
    """Module and package names directly in `directory` (`x` for `x.py`, `x.pyi` or `x/`)."""
    return _entries_at(str(directory))


def _entries_at(directory: str) -> frozenset[str]:
    # By the folder's name as a string: hashing a Path costs more than the look-up.
    key = ("entries", directory)
    if key not in _RESOLVED:
        names: set[str] = set()
        try:
            with os.scandir(directory) as it:
                for entry in it:
                    stem, dot, suffix = entry.name.partition(".")
                    names.add(stem if suffix in ("py", "pyi") else entry.name)
        except OSError:
            pass
        _RESOLVED[key] = frozenset(names)
    return _RESOLVED[key]


def _resolved_dir(path: Path) -> Path:
    key = ("dir", path)
    if key not in _RESOLVED:
        _RESOLVED[key] = Path(path).resolve()
    return _RESOLVED[key]


def _resolved_file(path: Path) -> Path:
    key = ("file", path)
    if key not in _RESOLVED:
        _RESOLVED[key] = real_path(path)
    return _RESOLVED[key]


def _is_dir(path: Path) -> bool:
    key = ("isdir", path)
    if key not in _RESOLVED:
        _RESOLVED[key] = path.is_dir()
    return _RESOLVED[key]


def parse_file(path: Path) -> ast.Module | None:
    """`ast.parse` of a file, or None when it cannot be read or parsed."""
    note_read(path)
    try:
        from n1fix.cst.source import read_regular

        source = read_regular(path)
        return ast.parse(source, filename=str(path))
    except (OSError, SyntaxError, ValueError, RecursionError):
        return None


def _parent_packages(module: str) -> Iterator[str]:
    parts = module.split(".")
    for end in range(1, len(parts)):
        yield ".".join(parts[:end])


def project_closure(files: Sequence[Path], root: Path) -> list[Path]:
    """`files` plus every project module they import, transitively.

    Importing `a.b.c` also runs `a/__init__.py` and `a/b/__init__.py`, so those packages
    are included too (that is where projects usually import all their models, which
    string relationship targets such as `relationship("Render")` rely on). Imports that do
    not resolve to a file inside `root` (stdlib, third-party) are ignored, as are files
    that cannot be read or parsed. The given files come first, in their order; the rest
    follow in discovery order, each once.
    """
    root = Path(root).resolve()
    result: list[Path] = []
    seen: set[Path] = set()
    queue: deque[Path] = deque()
    lookups: dict[tuple[str, Path], Path | None] = {}

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            result.append(path)
            queue.append(path)

    for path in files:
        add(Path(path))
    while queue:
        path = queue.popleft()
        tree = parse_file(path)
        if tree is None:
            continue
        resolved = path.resolve()
        module = module_name_for(resolved, root)
        is_package = resolved.name in ("__init__.py", "__init__.pyi")
        wanted: dict[str, None] = {}
        for name in imported_modules(tree, module, is_package):
            for parent in _parent_packages(name):
                wanted.setdefault(parent)
            wanted.setdefault(name)
        for name in wanted:
            key = (name, resolved.parent)
            if key not in lookups:
                lookups[key] = resolve_module_path(name, root, near=resolved.parent)
            found = lookups[key]
            if found is not None:
                add(found)
    return result
