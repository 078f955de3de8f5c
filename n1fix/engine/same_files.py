"""One path per file when the project is reached through a symlink.

Discovery names a file as the command line reached it (`/work/src/app/models.py`, through
a symlinked `/work/src`); the import resolution of `orm/imports.py` searches the project
root's real folder, so an import of that module finds `/real/src/app/models.py`. Followed
as is, that import surveyed the file a second time under its other name (every imported
module of a symlinked tree: half the survey of such a run), and the project index joined
the same facts twice.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path


def as_discovered(files: Iterable[Path]) -> Callable[[Path], Path]:
    """Maps a path to the discovered file it names (`files`) when it spells that file
    through its real folder, as import resolution does; any other path is kept.

    The real spelling is the file's folder with its symlinks resolved and the file's own
    name, which is how `resolve_module_path` builds what it finds (a folder it searches,
    resolved, then the module's parts). A path no discovered file is spelled as stays as
    it was (a module outside the paths checked: surveyed under that name, as before)."""
    real_folder: dict[Path, Path] = {}
    by_real: dict[Path, Path] = {}
    for path in files:
        folder = path.parent
        real = real_folder.get(folder)
        if real is None:
            # os.path.realpath, unlike Path.resolve on 3.11, does not raise on a loop.
            real = real_folder[folder] = Path(os.path.realpath(folder))
        if real != folder:
            by_real[real / path.name] = path
    if not by_real:
        return _same
    return lambda path: by_real.get(path, path)


def _same(path: Path) -> Path:
    return path
