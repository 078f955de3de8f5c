"""Where a Django project's templates live, found without running its settings.

Django looks a template name up in each `TEMPLATES[...]["DIRS"]` directory, then in the
`templates/` folder of each installed app. n1fix reads the same places from the source:
every `DIRS` of every settings module of the project (a file named `*settings*.py` or
in a `settings/` package) when it is a path n1fix can compute (`BASE_DIR / "templates"`,
`os.path.join(BASE_DIR, "templates")`, with `BASE_DIR` from `__file__`), and every
`templates/` folder beside an `__init__.py` (an app's). A name is found when exactly one
of these places holds it, or all that do hold the same text: which one Django would take
depends on settings and `INSTALLED_APPS` order n1fix does not read, so two different
templates of one name mean "unknown". A `DIRS` n1fix cannot compute means every lookup
is unknown: that directory may override any template.

Each place looked at is noted as read (`note_read`), found or not, with the settings
modules: the results cache re-checks a view when its template (or one that would now
take its place) changes; the places themselves are a project fact (`places_fact`).
"""

from __future__ import annotations

import ast
import functools
import os
from dataclasses import dataclass
from pathlib import Path

from n1fix.cst.astwalk import ast_dotted_name
from n1fix.orm.imports import note_read

_SKIPPED_DIRS = {"node_modules", "__pycache__", "site-packages", "venv", "env"}


@dataclass(frozen=True)
class TemplatePlaces:
    dirs: tuple[Path, ...]  # where names are looked up (settings' DIRS, app folders)
    settings: tuple[Path, ...]  # the settings modules read for DIRS
    known: bool  # False: some DIRS could not be computed


def find_template(root: Path, name: str) -> Path | None:
    """The file the template `name` is, or None when it is not found or not known."""
    places = template_places(Path(root))
    for path in places.settings:
        note_read(path)
    if not places.known or not name or name.startswith("/") or ".." in name.split("/"):
        return None
    found: list[Path] = []
    for directory in places.dirs:
        candidate = directory / name
        note_read(candidate)
        if candidate.is_file():
            found.append(candidate)
    if not found:
        return None
    try:
        texts = {path.read_bytes() for path in found}
    except OSError:
        return None
    return found[0] if len(texts) == 1 else None


def places_fact(root: Path) -> tuple:
    """The places as plain data: the project fact a check notes (`FileContext.note_fact`),
    so that the results cache re-checks a view when a settings module or an app's
    `templates/` folder appears or goes."""
    places = template_places(root)
    return (
        tuple(str(p) for p in places.dirs),
        tuple(str(p) for p in places.settings),
        places.known,
    )


def template_places(root: Path) -> TemplatePlaces:
    return _walked_once(Path(root))


@functools.lru_cache(maxsize=8)
def _walked_once(root: Path) -> TemplatePlaces:
    return _walked(root)


def _walked(root: Path) -> TemplatePlaces:
    app_dirs: list[Path] = []
    settings: list[Path] = []
    for directory, dirnames, filenames in os.walk(root):
        here = Path(directory)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and d not in _SKIPPED_DIRS
        )
        if "templates" in dirnames:
            if "__init__.py" in filenames:
                app_dirs.append(here / "templates")
            dirnames.remove("templates")
        in_settings = here.name == "settings"
        settings.extend(
            here / f
            for f in sorted(filenames)
            if f.endswith(".py") and ("settings" in f or in_settings)
        )
    dirs: list[Path] = []
    read_settings: list[Path] = []
    known = True
    for path in settings:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "TEMPLATES" not in text:
            continue
        read_settings.append(path)
        found = settings_dirs(text, path)
        if found is None:
            known = False
        else:
            dirs.extend(found)
    unique = list(dict.fromkeys([*dirs, *app_dirs]))
    return TemplatePlaces(tuple(unique), tuple(read_settings), known)


def settings_dirs(text: str, path: Path) -> list[Path] | None:
    """The `DIRS` of a settings module's `TEMPLATES`, or None when n1fix cannot compute
    them (or `TEMPLATES` is changed after it is set)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    names: dict[str, Path | str] = {}
    found: list[Path] | None = []
    for statement in tree.body:
        targets = _assigned(statement)
        if "TEMPLATES" in targets:
            value = statement.value  # type: ignore[attr-defined]
            found = _dirs_of(value, names, path)
            continue
        if _changes_templates(statement):
            return None
        if len(targets) == 1 and isinstance(statement, (ast.Assign, ast.AnnAssign)):
            value = _evaluate(statement.value, names, path)
            if value is not None:
                names[targets[0]] = value
            else:
                names.pop(targets[0], None)
    return found


def _assigned(statement: ast.stmt) -> list[str]:
    if isinstance(statement, ast.Assign):
        return [t.id for t in statement.targets if isinstance(t, ast.Name)]
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return [statement.target.id] if statement.value is not None else []
    return []


def _changes_templates(statement: ast.stmt) -> bool:
    """`TEMPLATES[0]["DIRS"] += [...]`, a change of its loaders, or a statement n1fix
    cannot tell from one (a change of other options, `builtins`, leaves the places)."""
    if not any(
        isinstance(node, ast.Name) and node.id == "TEMPLATES"
        for node in ast.walk(statement)
    ):
        return False
    code = ast.unparse(statement)
    return "DIRS" in code or "loaders" in code or not code.startswith("TEMPLATES[")


def _dirs_of(value, names, path: Path) -> list[Path] | None:
    if not isinstance(value, (ast.List, ast.Tuple)):
        return None
    dirs: list[Path] = []
    for backend in value.elts:
        if not isinstance(backend, ast.Dict):
            return None
        for key, item in zip(backend.keys, backend.values):
            if key is None:
                return None  # `**base`
            if isinstance(key, ast.Constant) and key.value == "OPTIONS":
                if not _standard_loaders(item):
                    return None
            if isinstance(key, ast.Constant) and key.value == "DIRS":
                if not isinstance(item, (ast.List, ast.Tuple)):
                    return None
                for element in item.elts:
                    computed = _evaluate(element, names, path)
                    if not isinstance(computed, Path):
                        return None
                    dirs.append(computed)
    return dirs


def _standard_loaders(options) -> bool:
    """No `loaders` in the options, or only Django's own (a project's loader may look
    templates up anywhere)."""
    if not isinstance(options, ast.Dict):
        return False
    for key, value in zip(options.keys, options.values):
        if key is None:
            return False
        if isinstance(key, ast.Constant) and key.value == "loaders":
            names = [
                n.value
                for n in ast.walk(value)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            ]
            if not names or not all(
                name.startswith("django.template.loaders.") for name in names
            ):
                return False
    return True


def _evaluate(node, names: dict, path: Path) -> Path | str | None:
    """A path expression of a settings module, or None when it is not one n1fix reads."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        if node.id == "__file__":
            return path
        return names.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        left = _evaluate(node.left, names, path)
        right = _evaluate(node.right, names, path)
        if isinstance(left, Path) and isinstance(right, (Path, str)):
            return _normal(left / right)
        return None
    if isinstance(node, ast.Attribute):
        if ast_dotted_name(node) == "os.pardir":
            return ".."
        base = _evaluate(node.value, names, path)
        if isinstance(base, Path) and node.attr == "parent":
            return base.parent
        return None
    if isinstance(node, ast.Subscript):
        base = node.value
        if (
            isinstance(base, ast.Attribute)
            and base.attr == "parents"
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, int)
        ):
            inner = _evaluate(base.value, names, path)
            if isinstance(inner, Path) and node.slice.value < len(inner.parents):
                return inner.parents[node.slice.value]
        return None
    if isinstance(node, ast.Call):
        return _call(node, names, path)
    return None


# Calls that give back the path they are given (for n1fix's purpose).
_SAME_PATH = {
    "str",
    "os.path.abspath",
    "os.path.realpath",
    "os.path.normpath",
    "abspath",
    "realpath",
    "normpath",
}


def _call(node: ast.Call, names: dict, path: Path) -> Path | str | None:
    func = node.func
    spelled = ast_dotted_name(func)
    if isinstance(func, ast.Attribute) and func.attr in ("resolve", "absolute"):
        if node.args:
            return None
        return _evaluate(func.value, names, path)
    args = [_evaluate(arg, names, path) for arg in node.args]
    if node.keywords or any(arg is None for arg in args):
        return None
    if spelled in ("Path", "pathlib.Path", "os.path.join", "join"):
        if not args or not isinstance(args[0], Path):
            return None
        return _normal(Path(*args))  # type: ignore[arg-type]
    if spelled in ("os.path.dirname", "dirname") and len(args) == 1:
        return Path(args[0]).parent if isinstance(args[0], Path) else None
    if spelled in _SAME_PATH and len(args) == 1:
        return args[0]
    return None


def _normal(path: Path) -> Path:
    return Path(os.path.normpath(path))


__all__ = [
    "TemplatePlaces",
    "find_template",
    "places_fact",
    "settings_dirs",
    "template_places",
]
