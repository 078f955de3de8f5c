"""Measure round trips: which lines of a project sent how many SQL statements.

    from n1fix.trace import record_round_trips

    with record_round_trips("n1fix-trace.json", root="."):
        run_the_code()          # tests, a demo, a management command

Every statement SQLAlchemy sends (its `before_cursor_execute` event, on every engine) is
counted once for each line of the project that was executing when it was sent: the line
of the query itself, and the lines up the call stack that led to it (a loop calling a DAL
method). `n1fix audit --trace n1fix-trace.json` then quotes, for each finding, how many
statements its lines sent during the recorded run: a measured count, not an estimate.
Files outside `root`, and virtual environments and installed packages inside it, are not
counted.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

FORMAT = "n1fix-trace/v1"
_OUTSIDE = ("site-packages", "dist-packages", ".venv", "venv")


class Recorder:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.lines: Counter[tuple[str, int]] = Counter()
        self.statements = 0
        self._known: dict[str, str | None] = {}

    def _project_path(self, filename: str) -> str | None:
        if filename not in self._known:
            path = Path(filename).resolve()
            try:
                relative = path.relative_to(self.root)
            except ValueError:
                relative = None
            if relative is not None and any(
                part in _OUTSIDE for part in relative.parts
            ):
                relative = None
            self._known[filename] = (
                relative.as_posix() if relative is not None else None
            )
        return self._known[filename]

    def count(self, *_args: object) -> None:
        self.statements += 1
        seen = set()
        for frame in _stack(sys._getframe(1)):
            path = self._project_path(frame.f_code.co_filename)
            if path is not None and (path, frame.f_lineno) not in seen:
                seen.add((path, frame.f_lineno))
                self.lines[(path, frame.f_lineno)] += 1

    def document(self) -> dict:
        return {
            "format": FORMAT,
            "statements": self.statements,
            "lines": [
                {"path": path, "line": line, "statements": count}
                for (path, line), count in sorted(self.lines.items())
            ],
        }


def _stack(frame):
    """The frames from `frame` outwards. Under asyncio, SQLAlchemy runs the statement in a
    greenlet whose stack ends at its start; the awaiting code is the suspended parent's."""
    try:
        from greenlet import getcurrent
    except ImportError:
        getcurrent = None
    current = getcurrent() if getcurrent is not None else None
    while frame is not None:
        yield frame
        frame = frame.f_back
        if frame is None and current is not None and current.parent is not None:
            current = current.parent
            frame = current.gr_frame


@contextmanager
def record_round_trips(
    output: str | Path, root: str | Path = "."
) -> Iterator[Recorder]:
    """Count statements per project line while the block runs; write them to `output`."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    recorder = Recorder(Path(root))
    event.listen(Engine, "before_cursor_execute", recorder.count)
    try:
        yield recorder
    finally:
        event.remove(Engine, "before_cursor_execute", recorder.count)
        Path(output).write_text(
            json.dumps(recorder.document(), indent=1) + "\n", encoding="utf-8"
        )


class TraceError(ValueError):
    """The trace file is missing or not one `record_round_trips` wrote (exit 2)."""


def load_trace(path: Path) -> Counter[tuple[str, int]]:
    """(project-relative path, line) -> statements sent while that line ran."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TraceError(
            f"cannot read the trace {path}: {error.strerror or error}"
        ) from None
    except ValueError as error:
        raise TraceError(f"the trace {path} is not JSON: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise TraceError(
            f"{path} is not an n1fix trace (record one with n1fix.trace.record_round_trips)"
        )
    return Counter(
        {
            (entry["path"], entry["line"]): entry["statements"]
            for entry in document["lines"]
        }
    )
