"""The write phase of `apply`: put each changed file on disk, or say why not.

A changed file is written only when
- it lies inside the project root once symlinks are resolved (a link to a file outside
  the project is not written through unless `follow_symlinks`), and no other change of
  this run is the same file reached by another name;
- the files its change needs (a module that gains a batch method) were written;
- its bytes are still those n1fix read (an edit made while n1fix ran wins: the file is
  skipped and the user told to run again).

SIGINT (Ctrl-C) and SIGTERM during the phase let the file being written finish (an
atomic replace takes milliseconds) and stop before the next one; a second signal stops
at once, and the unfinished file's temp file is removed. Either way the report says
which files were written and which were not.
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from n1fix.engine.fileio import FileChanged, SourceError, encode, write_atomic
from n1fix.engine.runner import FileChange, display_path


@dataclass
class WriteReport:
    written: list[FileChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line each, `path: reason`
    notes: list[str] = field(default_factory=list)  # skipped on purpose, not an error
    changed_on_disk: int = 0  # files skipped because they were edited while n1fix ran
    interrupted_by: str | None = None  # the signal's name
    signal_number: int | None = None
    not_reached: list[FileChange] = field(
        default_factory=list
    )  # left untouched by the interrupt


class _Interrupted(BaseException):
    """A second signal: stop now, even in the middle of a file."""


class _Stop:
    """Remembers the first SIGINT/SIGTERM; raises on the second."""

    def __init__(self) -> None:
        self.signal_number: int | None = None

    def __call__(self, signum: int, frame) -> None:
        if self.signal_number is not None:
            raise _Interrupted(signum)
        self.signal_number = signum


@contextmanager
def _deferred_signals() -> Iterator[_Stop]:
    stop = _Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {
        signum: signal.signal(signum, stop)
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def outside_root(path: Path, root: Path) -> str | None:
    """Where `path` really is, when that is outside `root` (through a symlink); else None."""
    real = os.path.realpath(path)
    if Path(real).is_relative_to(os.path.realpath(root)):
        return None
    return real


def write_changes(
    changes: list[FileChange], root: Path, *, follow_symlinks: bool = False
) -> WriteReport:
    report = WriteReport()
    failed: set[Path] = set()
    seen: dict[str, FileChange] = {}
    # Files other fixes need (a DAL that gains a batch method) are written first; a
    # caller is not written without them.
    needed = set().union(*(change.requires for change in changes))
    ordered = sorted(changes, key=lambda c: c.path not in needed)
    with _deferred_signals() as stop:
        for index, change in enumerate(ordered):
            if stop.signal_number is not None:
                report.not_reached = ordered[index:]
                break
            try:
                _write_one(change, root, follow_symlinks, failed, seen, report)
            except _Interrupted:
                report.not_reached = ordered[index:]
                break
        if stop.signal_number is not None:
            report.signal_number = stop.signal_number
            report.interrupted_by = signal.Signals(stop.signal_number).name
    return report


def _write_one(
    change: FileChange,
    root: Path,
    follow_symlinks: bool,
    failed: set[Path],
    seen: dict[str, FileChange],
    report: WriteReport,
) -> None:
    missing = change.requires & failed
    if missing:
        failed.add(change.path)
        report.errors.append(
            f"{change.display}: not written, as {sorted(missing)[0].name} could not be"
        )
        return
    real = outside_root(change.path, root)
    if real is not None and not follow_symlinks:
        failed.add(change.path)
        report.errors.append(
            f"{change.display}: not written: it resolves to {display_path(Path(real))}, outside the project "
            f"(--follow-symlinks writes there)"
        )
        return
    key = os.path.realpath(change.path)
    first = seen.get(key)
    if first is not None:
        # The same file under two names (a symlink to a file of the project).
        if first.new_text == change.new_text:
            report.notes.append(
                f"{change.display}: the same file as {first.display}, written once"
            )
        else:
            failed.add(change.path)
            report.errors.append(
                f"{change.display}: not written: the same file as {first.display}, written with other changes "
                "(run n1fix again)"
            )
        return
    try:
        write_atomic(
            change.path, encode(change.source, change.new_text), original=change.source
        )
    except FileChanged as error:
        failed.add(change.path)
        report.changed_on_disk += 1
        report.errors.append(f"{change.display}: {error.reason}")
    except SourceError as error:
        failed.add(change.path)
        report.errors.append(f"{change.display}: {error.reason}")
    else:
        seen[key] = change
        report.written.append(change)
