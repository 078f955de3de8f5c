"""A re-scan of a tree where nothing changed: the last run's answer, given again.

With every file in the results cache, a run still decoded every cached survey, joined
the project index and replayed each cached check's reads of it: most of a warm run's
time. This memo keeps, per command (the folder it ran from, the paths it was given, the
configuration and the rules), the answer of its last run (findings, the files that
failed, with their errors) and everything that answer depended on:

- every file surveyed (the files checked and the project modules they import) and every
  other file a check read, by its stamp (below) and content hash;
- every folder whose listing import resolution looked at, by a digest of its names: a
  module added where an import looks changes what an unchanged file imports;
- the project facts a check read from files that are not modules (`reads.PROJECT_FACTS`:
  the dependency files, the migrations), asked again, as the cache's replay does;
- the line length of generated code (the project's formatter settings), asked again;
- when the run walked the project for modules hooking its models (a run over part of a
  project, `hook_modules`), what that walk looked at: every folder it listed, by a
  digest of its entries and their kinds (but n1fix's own cache folder, which the walk
  never enters), every file it read, by stamp, and the paths whose existence placed the
  git checkout's top.

The next run of the same command discovers the files (a changed exclude or a new file
shows there), compares the stamps and gives the same answer when all of them agree,
without opening the results cache. A file whose stamp differs is read and hashed: the
same content is the same answer (a file written again unchanged, as a checkout or an
editor's save may do, or one the memo could not trust by its stamp). Anything else is a
miss, and the run goes the long way (still using the stamps: a file whose stamp agrees
is not read to hash it).

A stamp is a path's modification and status-change times (nanoseconds), size and inode.
The status change time cannot be set back by a tool that restores modification times, so
a stamp that agrees is the same bytes, with one exception that Git's index knows too: a
file written twice within one tick of the file system's clock keeps its stamp. A file
changed less than `RACY_NS` before the run started is therefore not trusted by its
stamp: the memo keeps `UNTRUSTED` for it, so that the next run hashes it. (A walk of the
project that read such a file leaves no memo; the next run, once the file has aged,
writes one.) An answer given by hashing keeps the files' new stamps once they can be
trusted, so that later runs need not hash them again.

Like the results cache, the memo sits in the scanned tree: it is JSON, never pickle, and
is checked field by field; a malformed memo is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from n1fix import __version__

# A path changed this shortly before a run started is not trusted by its stamp.
RACY_NS = 2_000_000_000
# Entries kept: one per command (a pre-commit hook and a full scan of the same tree differ).
KEEP = 8
FORMAT = 3
NAME = f"runs-{__version__}.json"


# The stamp of a path that does not exist (or cannot be looked at).
MISSING = [0, 0, -1, 0]
# The stamp kept for a file changed too recently to be trusted by its stamp: no path
# has it, so the next run compares the file's content hash instead.
UNTRUSTED = [0, 0, -2, 0]


def stamp(path: str) -> list[int]:
    """What changes whenever the content of the file `path` does."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return MISSING
    return [st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino]


def listing(path: str) -> str | None:
    """A digest of the names in the folder `path` (what import resolution reads of it);
    None when it cannot be listed."""
    try:
        names = sorted(os.listdir(path))
    except (OSError, ValueError):
        return None
    return _digest(names)


def walked_listing(path: str) -> str | None:
    """A digest of the entries of the folder `path` and their kinds, as a walk of the
    project sees them (n1fix's cache folder, which a run may have just created, left
    out); None when it cannot be listed."""
    from n1fix.engine.cache import CACHE_DIR

    try:
        with os.scandir(path) as entries:
            names = sorted(
                f"{e.name}/" if e.is_dir(follow_symlinks=False) else e.name
                for e in entries
                if e.name != CACHE_DIR
            )
    except (OSError, ValueError):
        return None
    return _digest(names)


def _digest(names: list[str]) -> str:
    # A name that is not UTF-8 (`bad\xff.py`) is listed with surrogate escapes: its bytes.
    text = "\0".join(names).encode("utf-8", "surrogateescape")
    return hashlib.blake2b(text, digest_size=12).hexdigest()


def command_key(
    cwd: Path, paths: Iterable[Path], config: Any, settings: str, use_gate: bool
) -> str:
    """Which command a memo entry answers: its folder, paths, configuration, rules, and
    the Python that parses the files."""
    options = {k: v for k, v in asdict(config).items() if k not in ("jobs", "cache")}
    text = json.dumps(
        [
            str(cwd),
            [os.path.abspath(cwd / path) for path in paths],
            options,
            settings,
            use_gate,
            sys.version,
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass
class Answer:
    """What the memo's run answered: findings (their paths as shown from the same folder),
    the errors of the files that failed, and how many failed."""

    findings: list
    errors: list[str]
    files_failed: int


class RunMemo:
    def __init__(self, directory: Path, key: str, started_ns: int) -> None:
        self.directory = directory
        self.path = directory / NAME
        self.key = key
        self.started_ns = started_ns
        self._runs: dict[str, Any] = {}
        self._entry: dict | None = None  # this command's, when well formed
        self._code: str | None = None
        self._unchanged: dict[str, str | None] = {}
        self._folders_unchanged: bool | None = None

    @classmethod
    def load(cls, root: Path, key: str, started_ns: int) -> RunMemo:
        from n1fix.engine.cache import CACHE_DIR, code_fingerprint

        memo = cls(root / CACHE_DIR, key, started_ns)
        if os.path.islink(memo.directory):
            return memo  # the results cache says why; nothing is read or written here
        memo._code = code_fingerprint()
        from n1fix.engine.fileio import read_regular

        try:
            data = json.loads(read_regular(memo.path))
        except (OSError, ValueError, RecursionError):
            return memo
        if (
            type(data) is not dict
            or data.get("format") != FORMAT
            or data.get("code") != memo._code
            or type(data.get("runs")) is not dict
        ):
            return memo
        memo._runs = data["runs"]
        entry = memo._runs.get(key)
        if _well_formed(entry):
            memo._entry = entry
        return memo

    def digest(self, path: str) -> str | None:
        """The content hash of `path` as the memo's run read it, when its stamp says the
        file has not changed since; else None."""
        if self._entry is None:
            return None
        if path not in self._unchanged:
            known = self._entry["files"].get(path)
            self._unchanged[path] = (
                known[4] or None
                if known is not None and known[:4] == stamp(path)
                else None
            )
        return self._unchanged[path]

    def folders_unchanged(self) -> bool:
        """Does every folder whose listing import resolution read list the same entries?"""
        if self._folders_unchanged is None:
            self._folders_unchanged = self._entry is not None and all(
                known == listing(path) for path, known in self._entry["dirs"].items()
            )
        return self._folders_unchanged

    def answer(self, files: list[Path], root: Path) -> Answer | None:
        """The memo's answer when the run would give it again: the same files found,
        every stamp the same, every project fact and the line length the same."""
        entry = self._entry
        if entry is None or entry["checked"] != [str(path) for path in files]:
            return None
        restamped: dict[str, list[int]] = {}
        for path, known in entry["files"].items():
            now = stamp(path)
            if known[:4] != now:
                if not _same_content(path, known[4]):
                    return None
                restamped[path] = now
        if not self.folders_unchanged() or not _walk_unchanged(entry["walk"]):
            return None
        if entry["facts"]:
            from n1fix.engine.reads import fact_digest

            for key, answer in entry["facts"].items():
                try:
                    if fact_digest(key, root) != answer:
                        return None
                except (TypeError, ValueError):  # a malformed key
                    return None
        from n1fix.rules.line_length import line_length_for

        if entry["line_length"] != line_length_for(root):
            return None
        try:
            findings = [_finding(value) for value in entry["findings"]]
        except (TypeError, ValueError):
            return None
        if restamped:
            self._restamp(restamped)
        return Answer(findings, list(entry["errors"]), entry["files_failed"])

    def _restamp(self, stamps: dict[str, list[int]]) -> None:
        """Keep the new stamps of files whose content `answer` found unchanged, when
        they can be trusted (else the next run hashes them again)."""
        newest = self.started_ns - RACY_NS
        if any(known[0] >= newest or known[1] >= newest for known in stamps.values()):
            return
        for path, known in stamps.items():
            self._entry["files"][path][:4] = known
        self._write(self._runs)

    def stamps(
        self,
        surveyed: dict[str, str],
        read_files: Iterable[str],
        file_digest: Callable[[str], str],
    ) -> dict[str, list] | None:
        """Each file's stamp, content hash and whether it was surveyed (`surveyed`: path
        -> content hash; `read_files`: the others a check read); a file changed too
        recently for its stamp to be trusted gets `UNTRUSTED` (the next run hashes it).
        None when there is no memo to keep."""
        if self._code is None:
            return None
        files: dict[str, list] = {}
        for path, digest in surveyed.items():
            files[path] = [*stamp(path), digest, 1]
        for path in read_files:
            if path not in files:
                files[path] = [*stamp(path), file_digest(path), 0]
        newest = self.started_ns - RACY_NS
        for known in files.values():
            if known[0] >= newest or known[1] >= newest:
                known[:4] = UNTRUSTED
        return files

    def walk_stamps(self, hooks) -> dict | None:
        """What a walk of the project looked at (`hook_modules.Hooks`), as `record`
        keeps it; None when a file changed too recently for its stamp to be trusted."""
        stamps = {path: stamp(path) for path in hooks.read}
        newest = self.started_ns - RACY_NS
        if any(known[0] >= newest or known[1] >= newest for known in stamps.values()):
            return None
        return {
            "listed": {path: walked_listing(path) for path in hooks.listed},
            "stamps": stamps,
            "exist": {path: os.path.exists(path) for path in hooks.probed},
        }

    def surveyed_unchanged(self, path: str) -> bool:
        """Was `path` surveyed by the memo's run, and is it unchanged since? (Its
        imports were looked up then: the folders they listed are in the memo.)"""
        return self.digest(path) is not None and self._entry["files"][path][5] == 1

    def record(
        self,
        *,
        checked: list[Path],
        files: dict[str, list],
        walk: dict,
        dirs: Iterable[str],
        facts: dict[str, str],
        line_length: int,
        findings: list,
        errors: list[str],
        files_failed: int,
    ) -> None:
        """Keep this run's answer (`files` from `stamps`, `walk` from `walk_stamps` or
        empty, `dirs` the folders whose listings this run read; when the memo's folders
        are unchanged, they are kept)."""
        folders = {}
        if self.folders_unchanged():
            folders = dict(self._entry["dirs"])
        for path in dirs:
            if path not in folders:
                folders[path] = listing(path)
        entry = {
            "checked": [str(path) for path in checked],
            "files": files,
            "walk": walk,
            "dirs": folders,
            "facts": facts,
            "line_length": line_length,
            "findings": [_encode(finding) for finding in findings],
            "errors": errors,
            "files_failed": files_failed,
        }
        runs = {k: v for k, v in self._runs.items() if k != self.key}
        runs = dict(list(runs.items())[-(KEEP - 1) :])
        runs[self.key] = entry
        self._write(runs)

    def _write(self, runs: dict) -> None:
        data = {"format": FORMAT, "code": self._code, "runs": runs}
        from n1fix.engine.cache import write_private

        try:
            write_private(
                self.directory,
                self.path,
                json.dumps(data, separators=(",", ":")).encode("ascii"),
            )
        except OSError:
            pass  # a read-only tree still scans


def _well_formed(entry: Any) -> bool:
    """The types `answer` and `digest` rely on; the findings are checked as decoded."""
    if type(entry) is not dict:
        return False
    try:
        return (
            _list_of(entry["checked"], str)
            and type(entry["files"]) is dict
            and all(
                type(v) is list
                and len(v) == 6
                and all(type(n) is int for n in v[:4])
                and type(v[4]) is str
                and v[5] in (0, 1)
                for v in entry["files"].values()
            )
            and _well_formed_walk(entry["walk"])
            and type(entry["dirs"]) is dict
            and all(v is None or type(v) is str for v in entry["dirs"].values())
            and type(entry["facts"]) is dict
            and all(type(v) is str for v in entry["facts"].values())
            and type(entry["line_length"]) is int
            and type(entry["findings"]) is list
            and _list_of(entry["errors"], str)
            and type(entry["files_failed"]) is int
        )
    except KeyError:
        return False


def _same_content(path: str, digest: str) -> bool:
    """Does the file `path` hold the content whose hash is `digest`?"""
    from n1fix.engine.fileio import content_hash, read_regular

    try:
        return content_hash(read_regular(Path(path))) == digest
    except (OSError, ValueError):
        return False


def _well_formed_walk(walk: Any) -> bool:
    if walk == {}:
        return True
    return (
        type(walk) is dict
        and type(walk.get("listed")) is dict
        and all(v is None or type(v) is str for v in walk["listed"].values())
        and type(walk.get("stamps")) is dict
        and all(
            type(v) is list and len(v) == 4 and all(type(n) is int for n in v)
            for v in walk["stamps"].values()
        )
        and type(walk.get("exist")) is dict
        and all(type(v) is bool for v in walk["exist"].values())
    )


def _walk_unchanged(walk: dict) -> bool:
    """Would the walk of the project (when the memo's run made one) see the same?"""
    return not walk or (
        all(known == stamp(path) for path, known in walk["stamps"].items())
        and all(known == walked_listing(p) for p, known in walk["listed"].items())
        and all(os.path.exists(p) is known for p, known in walk["exist"].items())
    )


def _list_of(value: Any, kind: type) -> bool:
    return type(value) is list and all(type(item) is kind for item in value)


_FIELDS = (
    "rule",
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "message",
    "severity",
    "applicability",
    "fix_note",
    "loop_line",
)
_TYPES = (str, str, int, int, int, int, str, str, str, (str, None), (int, None))


def _encode(finding) -> list:
    values = [getattr(finding, name) for name in _FIELDS]
    values[7], values[8] = finding.severity.value, finding.applicability.value
    return values


def _finding(value: Any):
    from n1fix.rules.base import Applicability, Finding, Severity

    if type(value) is not list or len(value) != len(_FIELDS):
        raise ValueError("not a finding")
    for item, kind in zip(value, _TYPES):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not any(type(item) is k or (k is None and item is None) for k in kinds):
            raise ValueError("a finding's field has the wrong type")
    fields = dict(zip(_FIELDS, value))
    fields["severity"] = Severity(fields["severity"])
    fields["applicability"] = Applicability(fields["applicability"])
    return Finding(**fields)
