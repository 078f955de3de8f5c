"""Results cache: an unchanged tree re-scans without parsing anything.

Two tables, kept in one pickle under `<root>/.n1fix_cache/`: per-file surveys keyed by
path and content hash, and per-file findings keyed by path, content hash, the tool
version, the configuration and the fingerprint of the project's model index (a changed
model re-checks every file). Written atomically; an unreadable cache is ignored.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from n1fix import __version__

CACHE_DIR = ".n1fix_cache"


def code_fingerprint() -> str:
    """n1fix's own code: a cache written by other code (an upgrade, an edit) is not read."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


class Cache:
    def __init__(self, root: Path, settings: str) -> None:
        self.path = root / CACHE_DIR / f"results-{__version__}.pickle"
        self.settings = settings
        self.surveys: dict[tuple[str, str], object] = {}
        self.findings: dict[tuple[str, str, str], list] = {}
        self.dirty = False

    @classmethod
    def load(cls, root: Path, settings: str) -> "Cache":
        cache = cls(root, settings)
        try:
            with open(cache.path, "rb") as handle:
                data = pickle.load(handle)
            if data.get("version") == __version__ and data.get("code") == code_fingerprint():
                cache.surveys = data["surveys"]
                cache.findings = data["findings"].get(settings, {})
        except Exception:  # noqa: BLE001 - a missing or stale cache is just a cold start
            pass
        return cache

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.path.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n")
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(
                    {
                        "version": __version__,
                        "code": code_fingerprint(),
                        "surveys": self.surveys,
                        "findings": {self.settings: self.findings},
                    },
                    handle,
                    protocol=pickle.HIGHEST_PROTOCOL,
                )
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only tree still scans; it just stays cold
