"""Results cache: an unchanged tree re-scans without parsing anything.

Two tables, kept in one JSON file under `<root>/.n1fix_cache/`: per-file surveys keyed by
path and content hash, and per-file findings keyed by path, content hash, the dialect,
line length and rules they were checked with, and kept with what the check read of the
rest of the project (`engine/reads.py`): they are reused while those reads give the same
answers, so a changed model re-checks the files that asked about it; the whole file is
keyed by the tool version, a fingerprint of n1fix's own code and the configuration.

The cache sits in the scanned tree, so its bytes are whatever the tree's owner put there:
it is JSON, never pickle, and its records are rebuilt only as the classes `cache_codec`
lists. An unreadable, malformed or wrongly typed cache, or entry, is treated as missing.
JSON rather than sqlite: the whole file is read once per run (`json.loads` of a 4 MB
cache takes tens of milliseconds), entries are decoded only when looked up, and a run
that changes nothing writes nothing. A run that changes a few entries (one file edited)
writes them alone, with the others it added since, to a second file naming the whole
file it extends (`changes-*.json`; encoding the whole cache again took most of such a
run's saving); once those are many, the whole file is written again and the changes
file removed.

Written atomically, and only inside the project: a `.n1fix_cache` that is a symlink is
neither read nor written.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from n1fix import __version__

CACHE_DIR = ".n1fix_cache"
# 2: a survey keeps rules' facts in `rule_facts`; 3: findings kept with what the check
# read of the project (`reads`), not under the whole project's fingerprint
FORMAT = 3
# A temp file of an interrupted save is removed by the next save once it is this old.
STALE_SECONDS = 60
# The entries the changes file may hold before the whole cache is written again: this
# many, or an eighth of the whole file's, whichever is more.
CHANGES_KEPT = 64


@functools.cache
def code_fingerprint() -> str:
    """n1fix's own code: a cache written by other code (an upgrade, an edit) is not read.
    Taken once per process (the results cache and the run memo each ask; it stats every
    module of n1fix): a process runs the code it loaded, whatever is edited later."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    for parts in sorted(_modules(package, ())):
        stat = os.stat(os.path.join(package, *parts))
        digest.update(f"{'/'.join(parts)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _modules(folder: str, parts: tuple[str, ...]):
    """The `.py` files under `folder`, each as the parts of its path below the package
    (the order and names `Path.rglob` gives, sorted as paths sort: with `os.scandir`, a
    third of the time, which a clean file's run pays)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir():
                yield from _modules(entry.path, (*parts, entry.name))
            elif entry.name.endswith(".py"):
                yield (*parts, entry.name)


def _key(*parts: str) -> str:
    # NUL cannot occur in a path, so the parts cannot run into each other.
    return "\0".join(parts)


class Cache:
    def __init__(self, root: Path, settings: str) -> None:
        self.directory = root / CACHE_DIR
        self.path = self.directory / f"results-{__version__}.json"
        self.changes_path = self.directory / f"changes-{__version__}.json"
        self.settings = settings
        # Values are JSON as read (decoded when first looked up) or the objects themselves.
        self._surveys: dict[str, Any] = {}
        # The surveys decoded this run (their JSON stays in `_surveys`, saved as read).
        self._decoded: dict[str, Any] = {}
        self._findings: dict[str, Any] = {}
        self.dirty = False
        # The whole file's id when it was read with this run's settings (the changes
        # file extends it), and the keys added since it was written.
        self._base: str | None = None
        self._base_size = 0
        self._changed_surveys: set[str] = set()
        self._changed_findings: set[str] = set()
        # The content hash of each file this run looked up: an entry of an older
        # version of that file is not written again with the whole cache.
        self._current: dict[str, str] = {}
        # Why the cache is not used, for a one-line warning; None when it is.
        self.unusable: str | None = None

    @classmethod
    def load(cls, root: Path, settings: str) -> "Cache":
        cache = cls(root, settings)
        if os.path.islink(cache.directory):
            cache.unusable = f"{CACHE_DIR} is a symlink; the results cache is not used (remove the link)"
            return cache
        from n1fix.engine.fileio import read_regular

        try:
            data = json.loads(read_regular(cache.path))
        except (
            OSError,
            ValueError,
            RecursionError,
        ):  # missing or not JSON: a cold start
            return cache
        if (
            type(data) is dict
            and data.get("format") == FORMAT
            and data.get("version") == __version__
            and data.get("code") == code_fingerprint()
            and type(data.get("surveys")) is dict
            and type(data.get("findings")) is dict
        ):
            cache._surveys = data["surveys"]
            if data.get("settings") == settings:
                cache._findings = data["findings"]
                if type(data.get("id")) is str:
                    cache._base = data["id"]
                    cache._base_size = len(cache._surveys) + len(cache._findings)
                    cache._load_changes(read_regular)
        return cache

    def _load_changes(self, read_regular) -> None:
        """The entries added since the whole file was written, when the changes file
        extends this one (else it is left to be replaced)."""
        try:
            data = json.loads(read_regular(self.changes_path))
        except (OSError, ValueError, RecursionError):
            return
        if (
            type(data) is dict
            and data.get("base") == self._base
            and type(data.get("surveys")) is dict
            and type(data.get("findings")) is dict
        ):
            self._surveys.update(data["surveys"])
            self._findings.update(data["findings"])
            self._changed_surveys.update(data["surveys"])
            self._changed_findings.update(data["findings"])

    def survey(self, path: Path, digest: str):
        """The cached survey of `path` with content `digest`, or None."""
        from n1fix.engine.cache_codec import Malformed, decoder
        from n1fix.engine.survey import Survey

        key = _key(str(path), digest)
        self._current[str(path)] = digest
        if key in self._decoded:
            return self._decoded[key]
        value = self._surveys.get(key)
        if value is None or isinstance(value, Survey):
            return value
        try:
            survey = decoder(Survey)(value)
        except (
            Malformed,
            TypeError,
            RecursionError,
        ):  # TypeError: a field the codec cannot hold
            del self._surveys[key]
            return None
        if survey.path != path or survey.digest != digest:
            del self._surveys[key]
            return None
        self._decoded[key] = survey
        return survey

    def add_survey(self, survey) -> None:
        key = _key(str(survey.path), survey.digest)
        self._current[str(survey.path)] = survey.digest
        self._surveys[key] = survey
        self._decoded.pop(key, None)
        self._changed_surveys.add(key)
        self.dirty = True

    def findings(self, path: Path, digest: str, base: str, replay) -> list | None:
        """The cached findings of `path` with content `digest`, checked with the same
        `base` (dialect, line length, rules), whose reads of the project `replay` finds
        unchanged (`n1fix.engine.reads`)."""
        from n1fix.engine.cache_codec import Malformed, decoder
        from n1fix.rules.base import Finding

        key = _key(str(path), digest, base)
        value = self._findings.get(key)
        if value is None:
            return None
        if type(value) is not dict or not replay.still_hold(value.get("reads")):
            return None
        try:
            return decoder(list[Finding])(value.get("findings"))
        except (
            Malformed,
            TypeError,
            RecursionError,
        ):  # TypeError: a field the codec cannot hold
            del self._findings[key]
            return None

    def reads(self, path: Path, digest: str, base: str) -> dict | None:
        """What the check behind `findings(path, digest, base)` read of the project."""
        value = self._findings.get(_key(str(path), digest, base))
        return value.get("reads") if type(value) is dict else None

    def add_findings(
        self, path: Path, digest: str, base: str, reads: dict, findings: list
    ) -> None:
        from n1fix.engine.cache_codec import Malformed, encoder
        from n1fix.rules.base import Finding

        try:
            encoded = encoder(list[Finding])(findings)
        except (Malformed, TypeError):
            return
        key = _key(str(path), digest, base)
        self._findings[key] = {"reads": reads, "findings": encoded}
        self._changed_findings.add(key)
        self.dirty = True

    def save(self) -> None:
        if not self.dirty or self.unusable:
            return
        from n1fix.engine.cache_codec import Malformed, encoder
        from n1fix.engine.survey import Survey

        try:
            encode = encoder(Survey)
        except (
            TypeError
        ):  # a Survey field the codec cannot hold (test_cache says which)
            return
        changes = len(self._changed_surveys) + len(self._changed_findings)
        few = changes <= max(CHANGES_KEPT, self._base_size // 8)
        keys = self._changed_surveys if self._base is not None and few else None
        surveys = {}
        # A whole write leaves out the entries of older versions of the files looked up.
        for key in self._surveys if keys is None else sorted(keys):
            value = self._surveys.get(key)
            if isinstance(value, Survey):
                try:
                    value = encode(value)
                except (Malformed, TypeError):
                    continue  # not cached; a later run surveys the file again
            if value is not None and (keys is not None or self._is_current(key)):
                surveys[key] = value
        try:
            if keys is not None:
                findings = {
                    key: self._findings[key]
                    for key in sorted(self._changed_findings)
                    if key in self._findings
                }
                data = {"base": self._base, "surveys": surveys, "findings": findings}
                self._write_to(self.changes_path, data)
                return
            import secrets  # (only when writing the whole file)

            data = {
                "format": FORMAT,
                "version": __version__,
                "code": code_fingerprint(),
                "settings": self.settings,
                "id": secrets.token_hex(8),
                "surveys": surveys,
                "findings": {
                    key: value
                    for key, value in self._findings.items()
                    if self._is_current(key)
                },
            }
            self._write_to(self.path, data)
            with contextlib.suppress(OSError):
                os.unlink(self.changes_path)
        except OSError:
            pass  # a read-only tree still scans; it just stays cold

    def _is_current(self, key: str) -> bool:
        """Is the entry not of an older version of a file this run looked up?"""
        path, _, rest = key.partition("\0")
        known = self._current.get(path)
        return known is None or rest.partition("\0")[0] == known

    def _write_to(self, path: Path, data: dict) -> None:
        encoded = json.dumps(data, separators=(",", ":")).encode("ascii")
        if path == self.path:
            self._write(encoded)
        else:
            write_private(self.directory, path, encoded)

    def _write(self, data: bytes) -> None:
        write_private(self.directory, self.path, data)


def write_private(directory: Path, path: Path, data: bytes) -> None:
    """Write `path` in n1fix's own folder `directory` atomically (neither through a
    symlink nor outside the project), the folder made and git-ignored on first use."""
    if os.path.islink(directory):
        return
    directory.mkdir(parents=True, exist_ok=True)
    flags = (
        os.O_WRONLY
        | os.O_CREAT
        | os.O_EXCL
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_CLOEXEC", 0)
    )
    try:
        ignore = os.open(directory / ".gitignore", flags, 0o666)
    except FileExistsError:
        pass
    else:
        with os.fdopen(ignore, "w") as handle:
            handle.write("*\n")
    _remove_stale_temps(directory)
    import secrets  # (with random and hmac: only when writing)

    tmp = directory / f".{path.name}.{secrets.token_hex(4)}.n1fix-tmp"
    fd = os.open(tmp, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        # Replacing a symlink named like the cache replaces the link, not its target.
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _remove_stale_temps(directory: Path) -> None:
    """Temp files of saves that were killed (this directory is n1fix's own)."""
    cutoff = time.time() - STALE_SECONDS
    with contextlib.suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            stale = entry.name.endswith(".n1fix-tmp") or entry.name.startswith(".tmp-")
            if (
                stale
                and entry.is_file(follow_symlinks=False)
                and entry.stat(follow_symlinks=False).st_mtime < cutoff
            ):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
