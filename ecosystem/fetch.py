"""Fetch a pinned archive into the cache, verify its sha256, extract it once.

The cache holds `archives/<file>` and `src/<name>-<version>/` (the extracted project).
A `seed` directory that already holds archives (a mirror, an earlier download) is used
before the network; every archive, seeded or downloaded, must match its sha256.
Extraction goes to a temporary directory renamed into place, so a half-extracted tree
is never taken for a finished one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path

from ecosystem.projects import Project

DEFAULT_CACHE = Path.home() / ".cache" / "n1fix-ecosystem"


class FetchError(Exception):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def archive_path(project: Project, cache: Path, seeds: list[Path] = ()) -> Path:
    """The verified archive in the cache: already there, copied from a seed, or downloaded."""
    target = cache / "archives" / project.archive
    if target.is_file() and sha256_of(target) == project.sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part"
    )
    os.close(handle)
    partial = Path(name)
    try:
        for seed in seeds:
            candidate = seed / project.archive
            if candidate.is_file() and sha256_of(candidate) == project.sha256:
                shutil.copyfile(candidate, partial)
                break
        else:
            _download(project.url, partial)
        actual = sha256_of(partial)
        if actual != project.sha256:
            raise FetchError(
                f"{project.archive}: sha256 {actual} is not the pinned {project.sha256}"
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _download(url: str, dest: Path) -> None:
    try:
        with (
            urllib.request.urlopen(url, timeout=60) as response,
            dest.open("wb") as out,
        ):
            shutil.copyfileobj(response, out, 1 << 20)
    except OSError as error:
        raise FetchError(f"{url}: cannot download: {error}") from error


def source_dir(project: Project, cache: Path, seeds: list[Path] = ()) -> Path:
    """The extracted project (its top directory), extracting the archive if needed."""
    dest = cache / "src" / project.label
    if dest.is_dir():
        return dest
    archive = archive_path(project, cache, seeds)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(
        dir=dest.parent, prefix=f".{project.label}."
    ) as tmp:
        work = Path(tmp) / "x"
        work.mkdir()
        _extract(archive, work)
        top = _single_top_dir(work)
        try:
            os.replace(top, dest)
        except OSError:
            if not dest.is_dir():  # another run did not just finish the same extraction
                raise
    return dest


def _extract(archive: Path, into: Path) -> None:
    if archive.name.endswith(".whl") or archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(into)  # zipfile drops absolute paths and `..`
        return
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter=_skip_unsafe)


def _skip_unsafe(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """tarfile's `data` filter, but a member it refuses is skipped, not fatal."""
    try:
        return tarfile.data_filter(member, dest)
    except tarfile.FilterError:
        return None


def _single_top_dir(work: Path) -> Path:
    """An sdist unpacks to one `<name>-<version>/` directory; a wheel to the package itself."""
    entries = list(work.iterdir())
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return work
