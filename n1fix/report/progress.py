"""A progress bar for long scans: on a terminal only, on stderr, gone when done.

Nothing is drawn when stderr is not a terminal (piped, CI logs, pre-commit) or when the
precise pass has few files to check, so short runs print exactly what they printed before.
"""

from __future__ import annotations

import sys

# Below this many files the pass is over before a bar would be read.
MIN_FILES = 40


class ScanProgress:
    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._progress = None
        self._task = None

    def __enter__(self) -> "ScanProgress":
        return self

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < MIN_FILES:
            return
        if self._progress is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn("n1fix: checking"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=sys.stderr),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("check", total=total)
        self._progress.update(self._task, completed=done)

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()
