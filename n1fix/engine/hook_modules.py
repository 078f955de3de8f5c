"""The project modules that may register per-object hooks on models (Django's signal
receivers, SQLAlchemy's ORM event listeners), for a run over part of a project.

A hook can be registered anywhere (`@receiver(post_save, sender=Book)` in a `signals.py`
no other module imports, `post_save.connect(...)` in an `AppConfig.ready()`,
`@event.listens_for(Item, "before_update")` in a `hooks.py`), and whether a model has
one decides whether per-object writes may become bulk ones (which skip the hooks). A run
over a few files indexes the models those files import, not the modules that hook them:
without this, `n1fix apply shop/services/inventory.py` offered a safe `bulk_create()` that
skipped the stock receiver of `shop/signals.py`. So when the files checked use an ORM,
every project file whose text may register one of its hooks is surveyed too, for the
hooks alone: its receivers and listeners join the model index, nothing else of it does
(not its models, imports or functions: a run over part of a project reads the rest as
before), and it is not checked. A run over the whole project has them already, and a
run none of whose files is to be checked does not look (the gates ask no model about
its hooks: they only annotate models the surveyed files define).

Which modules those are depends on every project file, so the walk says what it looked
at (`Hooks`): the run memo keeps the run's answer on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from n1fix.config import Config
from n1fix.engine.discovery import discover
from n1fix.engine.survey import Survey, survey_file
from n1fix.orm.django_facts import DjangoReceiverFacts
from n1fix.orm.model_facts import ListenerFacts

# The top-level packages whose import means the project may hook models, and what a
# module registering such a hook holds: any of the alternatives, each all its parts (a
# receiver of the model signals the bulk forms skip names one; SQLAlchemy's listeners
# are looked for only in modules importing `sqlalchemy.event`).
_DJANGO = tuple(
    (signal,)
    for signal in (
        b"pre_save",
        b"post_save",
        b"pre_delete",
        b"post_delete",
        b"m2m_changed",
    )
)
_SQLALCHEMY = ((b"sqlalchemy", b"event", b"listen"),)
_MARKERS = {
    "django": _DJANGO,
    "sqlalchemy": _SQLALCHEMY,
    "flask_sqlalchemy": _SQLALCHEMY,
    "sqlmodel": _SQLALCHEMY,
}


@dataclass
class Hooks:
    """The hook modules' surveys, and what deciding which modules they are looked at:
    the folders listed, the files read (the ignore files, every project file), and the
    paths whose existence alone placed the git checkout's top."""

    surveys: dict[Path, Survey] = field(default_factory=dict)
    listed: list[str] = field(default_factory=list)
    read: list[str] = field(default_factory=list)
    probed: list[str] = field(default_factory=list)


def hook_modules(
    paths: list[Path],
    surveys: dict[Path, Survey],
    root: Path,
    config: Config,
    looked_at: Hooks | None = None,
) -> list[Path]:
    """Project files not in `surveys` that may register a hook on a model of the ORMs
    the surveyed files import, when `paths` are not the whole project; what the walk
    depended on goes to `looked_at`."""
    markers = _markers(paths, surveys, root)
    if not markers:
        return []
    found = discover(
        [root],
        root=root,
        exclude=config.exclude,
        extend_exclude=config.extend_exclude,
        respect_gitignore=config.respect_gitignore,
        include_tests=config.include_tests,
    )
    if looked_at is not None:
        looked_at.listed += found.listed
        looked_at.read += found.read
        looked_at.read += map(str, found.files)
        looked_at.probed += found.probed
    modules = []
    for path in found.files:
        if path in surveys:
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue  # a file that cannot be read registers nothing n1fix could know
        if any(all(part in data for part in parts) for parts in markers):
            modules.append(path)
    return modules


def walks_project(paths: list[Path], surveys: dict[Path, Survey], root: Path) -> bool:
    """Does `hook_modules` look through the whole project (so that its answer depends on
    every file of it)?"""
    return bool(_markers(paths, surveys, root))


def _markers(
    paths: list[Path], surveys: dict[Path, Survey], root: Path
) -> set[tuple[bytes, ...]]:
    if any(Path(path).resolve() == root.resolve() for path in paths):
        return set()
    imported = {
        qualified.partition(".")[0]
        for survey in surveys.values()
        for qualified in survey.imports.values()
    }
    return {parts for top in imported & _MARKERS.keys() for parts in _MARKERS[top]}


def hook_surveys(
    paths: list[Path], surveys: dict[Path, Survey], root: Path, config: Config
) -> Hooks:
    """The surveys of `hook_modules`, holding their receivers and listeners alone."""
    hooks = Hooks()
    for path in hook_modules(paths, surveys, root, config, hooks):
        full = survey_file(path, root, {}, facts_of=())
        hooks.surveys[path] = Survey(
            path=path,
            module_name=full.module_name,
            digest=full.digest,
            models=[f for f in full.models if isinstance(f, ListenerFacts)],
            django_models=[
                f for f in full.django_models if isinstance(f, DjangoReceiverFacts)
            ],
            gated=[],
        )
    return hooks
