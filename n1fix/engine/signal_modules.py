"""The project modules that may connect Django signal receivers, for a run over part of a
project.

A receiver can be connected anywhere (`@receiver(post_save, sender=Book)` in a
`signals.py` no other module imports, `post_save.connect(...)` in an `AppConfig.ready()`),
and whether a model has one decides whether a per-object write may become a bulk one
(which sends no signal). A run over a few files indexes the models those files import,
not the modules that connect receivers to them: without this, `n1fix apply
shop/services/inventory.py` would offer a `bulk_create()` that skips the stock receiver of
`shop/signals.py`. So when the files checked use Django, every project file whose text
may connect a receiver is surveyed too (its facts join the model index; it is not
checked). A run over the whole project has them already.
"""

from __future__ import annotations

from pathlib import Path

from n1fix.config import Config
from n1fix.engine.discovery import discover
from n1fix.engine.survey import Survey

# The cheap test `orm.django_facts` makes before looking for receivers in a module.
_MARKERS = (b"receiver", b".connect(")


def receiver_modules(
    paths: list[Path], surveys: dict[Path, Survey], root: Path, config: Config
) -> list[Path]:
    """Project files not in `surveys` that may connect a signal receiver, when the
    surveyed files import Django and `paths` are not the whole project."""
    if any(Path(path).resolve() == root.resolve() for path in paths):
        return []
    if not any(
        qualified.partition(".")[0] == "django"
        for survey in surveys.values()
        for qualified in survey.imports.values()
    ):
        return []
    found = discover(
        [root],
        root=root,
        exclude=config.exclude,
        extend_exclude=config.extend_exclude,
        respect_gitignore=config.respect_gitignore,
        include_tests=config.include_tests,
    )
    modules = []
    for path in found.files:
        if path in surveys:
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue  # a file that cannot be read connects nothing n1fix could know
        if any(marker in data for marker in _MARKERS):
            modules.append(path)
    return modules
