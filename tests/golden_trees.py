"""Golden cases across files: a `before/` tree (a small package) instead of `before.py`.

A fix may edit two files: the loop in the caller's module and a batch method added to the
DAL module it calls. Such a case holds `before/` (say `dal.py`, `service.py`, maybe
`__init__.py`), and `after/` with the files the fix changes, each written by hand (a file
the fix leaves alone is not repeated there; no `after/` at all: a trap, nothing changes).
Inside a tree, modules import each other relatively (`from .dal import RendersDAL`), so the
tree runs under any package name.

- The rewrite (`rewrite_tree`) builds a throwaway project: the tree as package `app` next
  to a copy of the seed's model package (`renderapp`), nothing else. So a package outside
  that project (`golden/renderkit`, standing in for an installed library) is third-party
  to n1fix, as it would be to a user. The engine runs with fix=True on the entry file only,
  as a user names only the caller's file; the callee's file changes through the fix's
  companion edit.
- The run (`imported_tree`) imports a tree as a package of its own, under a unique name
  (before and after side by side in sys.modules never clash), and hands the scenario the
  entry module. A scenario reaches the other modules through the package:
  `importlib.import_module(".dal", service.__package__)`.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.machinery
import importlib.util
import itertools
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

TREE_PACKAGE = "app"  # the tree's package name in the project the rewrite test builds
_packages = itertools.count()


def tree_files(tree: Path) -> dict[str, Path]:
    """Every file of a tree by its path relative to the tree (posix), caches left out."""
    return {
        path.relative_to(tree).as_posix(): path
        for path in sorted(tree.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def expected_tree(case_dir: Path) -> dict[str, str]:
    """The text every file of the tree should have after the fix: after/'s where it has
    the file, before/'s otherwise."""
    texts = {
        rel: p.read_text(encoding="utf-8")
        for rel, p in tree_files(case_dir / "before").items()
    }
    after = case_dir / "after"
    if after.is_dir():
        texts.update(
            {rel: p.read_text(encoding="utf-8") for rel, p in tree_files(after).items()}
        )
    return texts


def write_tree(texts: dict[str, str], dest: Path) -> None:
    for rel, text in texts.items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def module_name_of(entry: str) -> str:
    """`service.py` -> `service`, `api/routes.py` -> `api.routes` (inside the package)."""
    return entry.removesuffix(".py").replace("/", ".")


def tree_problems(case) -> list[str]:
    """What is wrong with a tree case's files (`validate_case` adds the common checks)."""
    problems: list[str] = []
    before = tree_files(case.path / "before")
    after = tree_files(case.path / "after") if case.after_path is not None else {}
    if case.entry not in before:
        problems.append(f"{case.path}: entry {case.entry!r} is not in before/")
    if case.after_path is not None and not after:
        problems.append(f"{case.path}: after/ is empty; delete it instead")
    for rel, path in after.items():
        if rel not in before:
            problems.append(
                f"{case.path}: after/{rel} is not in before/ (n1fix edits files, it adds none)"
            )
        elif path.read_text(encoding="utf-8") == before[rel].read_text(
            encoding="utf-8"
        ):
            problems.append(
                f"{case.path}: after/{rel} is identical to before/{rel}; leave it out of after/"
            )
    sources = [
        *(p for rel, p in before.items() if rel.endswith(".py")),
        *(p for rel, p in after.items() if rel.endswith(".py")),
    ]
    for source in [*sources, case.scenario_path]:
        if source.exists():
            try:
                compile(source.read_text(encoding="utf-8"), str(source), "exec")
            except SyntaxError as exc:
                problems.append(f"{source}: does not compile: {exc}")
    for f in case.findings:
        if f.path not in before:
            problems.append(f"{case.path}: finding path {f.path!r} is not in before/")
        elif (
            not 1
            <= f.line
            <= len(before[f.path].read_text(encoding="utf-8").splitlines())
        ):
            problems.append(
                f"{case.path}: finding line {f.line} is outside before/{f.path}"
            )
    return problems


# --------------------------------------------------------------------------- the run


@contextlib.contextmanager
def imported_tree(
    case_dir: Path, which: str, entry: str, label: str
) -> Iterator[ModuleType]:
    """The tree (`before`, or `before` overlaid with `after`) imported as a fresh package;
    yields its entry module. Everything is forgotten again afterwards."""
    texts = {
        rel: p.read_text(encoding="utf-8")
        for rel, p in tree_files(case_dir / "before").items()
    }
    if which == "after":
        texts = expected_tree(case_dir)
    name = f"_golden_{label}_{which}_tree_{next(_packages)}"
    with tempfile.TemporaryDirectory(prefix="n1fix-golden-tree-") as tmp:
        root = Path(tmp) / name
        write_tree(texts, root)
        importlib.invalidate_caches()
        try:
            _import_package(name, root)
            yield importlib.import_module(f"{name}.{module_name_of(entry)}")
        finally:
            for key in [
                k for k in sys.modules if k == name or k.startswith(name + ".")
            ]:
                del sys.modules[key]


def _import_package(name: str, root: Path) -> ModuleType:
    init = root / "__init__.py"
    if init.exists():
        spec = importlib.util.spec_from_file_location(
            name, init, submodule_search_locations=[str(root)]
        )
    else:  # a tree without __init__.py: an empty package over the directory
        spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = [str(root)]
    assert spec is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    if spec.loader is not None:
        spec.loader.exec_module(package)
    return package


# --------------------------------------------------------------------------- the rewrite


@dataclass
class TreeRewrite:
    """What one fix run did to a tree, in the tree's own relative paths."""

    findings: list[tuple[str, str, int, str]]  # (path, rule, line, applicability)
    texts: dict[str, str]  # every file of the tree after the fix
    outside: list[str] = field(
        default_factory=list
    )  # changed files that are not in the tree
    unrequired: list[str] = field(
        default_factory=list
    )  # changed files the entry's change does not require
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    again: list[str] = field(default_factory=list)  # files a second run would change


def seed_package(case) -> Path:
    """The directory of the model package the case's scenario seeds (`golden/renderapp`)."""
    from golden_support import DEFAULT_SEED, GOLDEN_ROOT, forget_module, load_module

    scenario = load_module(case.scenario_path, f"{case.rule_dir}_{case.name}_seed")
    try:
        return GOLDEN_ROOT / getattr(scenario, "SEED", DEFAULT_SEED)
    finally:
        forget_module(scenario)


def rewrite_tree(
    case_dir: Path, entry: str, seed_package: Path, *, unsafe_fixes: bool
) -> TreeRewrite:
    """Fix the before tree as a user would: `n1fix apply <entry>` in a project holding the
    tree and the seed's models; then run once more on the result."""
    from n1fix.config import Config
    from n1fix.engine.runner import run

    before = {
        rel: p.read_text(encoding="utf-8")
        for rel, p in tree_files(case_dir / "before").items()
    }
    with tempfile.TemporaryDirectory(prefix="n1fix-golden-fix-") as tmp:
        root = Path(tmp).resolve()
        tree = root / TREE_PACKAGE
        write_tree(before, tree)
        shutil.copytree(
            seed_package,
            root / seed_package.name,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        config = Config(unsafe_fixes=unsafe_fixes, cache=False)
        result = run([tree / entry], root, config, fix=True, jobs=1)

        def relative(path: str | Path) -> str:
            path = Path(path)
            path = path if path.is_absolute() else Path.cwd() / path
            try:
                return path.resolve().relative_to(tree).as_posix()
            except ValueError:
                return str(path)

        outcome = TreeRewrite(
            findings=sorted(
                (relative(f.path), f.rule, f.line, f.applicability.value)
                for f in result.findings
            ),
            texts=dict(before),
            failures=list(result.failures),
            errors=list(result.errors),
        )
        changes = {relative(change.path): change for change in result.changes}
        entry_change = changes.get(entry)
        for rel, change in changes.items():
            if rel not in before:
                outcome.outside.append(rel)
                continue
            outcome.texts[rel] = change.new_text
            if rel != entry and (
                entry_change is None or change.path not in entry_change.requires
            ):
                outcome.unrequired.append(rel)
        # The second run sees the fixed tree: nothing more may change.
        write_tree({rel: outcome.texts[rel] for rel in changes if rel in before}, tree)
        again = run([tree / entry], root, config, fix=True, jobs=1)
        outcome.again = sorted(relative(change.path) for change in again.changes)
    return outcome
