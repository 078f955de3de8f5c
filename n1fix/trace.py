"""Measure round trips: which lines of a project sent how many SQL statements.

    from n1fix.trace import record_round_trips

    with record_round_trips("n1fix-trace.json", root="."):
        run_the_code()          # tests, a demo, a management command

Every statement sent through SQLAlchemy (its `before_cursor_execute` event, on every
engine) or Django (an execute wrapper on each connection: those of the recording thread,
and any opened while recording) is counted once for each line of the project that was
executing when it was sent: the line of the query itself, and the lines up the call stack
that led to it (a loop calling a DAL method). Under asyncio the awaiting code's lines are
counted too: for SQLAlchemy's `AsyncSession` through its greenlet, for Django's async ORM
(`await qs.acount()`) through asgiref's task that handed the call to a thread. `n1fix audit --trace n1fix-trace.json` then quotes, for each finding, how many
statements its lines sent during the recorded run: a measured count, not an estimate.
Files outside `root`, and virtual environments and installed packages inside it, are not
counted.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from contextlib import ExitStack, contextmanager
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
        self.count_from(sys._getframe(1))

    def count_from(self, frame) -> None:
        """One statement, sent while `frame` (and the frames that called it) ran."""
        self.statements += 1
        seen = set()
        for frame in _stack(frame):
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
    greenlet whose stack ends at its start; the awaiting code is the suspended parent's.
    Django's async ORM runs it in a thread (asgiref's `sync_to_async`) whose stack ends in
    asgiref; the awaiting code is the coroutines of the task waiting for that thread."""
    try:
        from greenlet import getcurrent
    except ImportError:
        getcurrent = None
    current = getcurrent() if getcurrent is not None else None
    while frame is not None:
        yield frame
        awaiting = _asgiref_awaiting(frame)
        frame = frame.f_back
        if awaiting:
            yield from awaiting
        if frame is None and current is not None and current.parent is not None:
            current = current.parent
            frame = current.gr_frame


def _asgiref_awaiting(frame) -> list:
    """When `frame` is asgiref's `SyncToAsync.thread_handler` running a sync call for a
    coroutine, the frames of the coroutines awaiting that call, innermost first."""
    code = frame.f_code
    if code.co_name != "thread_handler" or "asgiref" not in code.co_filename:
        return []
    loop = frame.f_locals.get("loop")
    args = frame.f_locals.get("args") or ()
    if loop is None or not args:
        return []
    child = args[0]
    import asyncio

    try:
        tasks = asyncio.all_tasks(loop)
    except RuntimeError:  # the loop's task set changed while it was copied
        return []
    for task in tasks:
        frames = []
        coroutine = task.get_coro()
        while coroutine is not None and hasattr(coroutine, "cr_frame"):
            if coroutine.cr_frame is None:
                break
            frames.append(coroutine.cr_frame)
            if coroutine.cr_frame.f_locals.get("child") is child:
                return frames[::-1]
            coroutine = coroutine.cr_await
    return []


@contextmanager
def record_round_trips(
    output: str | Path, root: str | Path = "."
) -> Iterator[Recorder]:
    """Count statements per project line while the block runs; write them to `output`.
    Whichever of SQLAlchemy and Django is installed is recorded."""
    recorder = Recorder(Path(root))
    try:
        with ExitStack() as hooks:
            hooks.enter_context(_sqlalchemy_statements(recorder))
            hooks.enter_context(_django_statements(recorder))
            yield recorder
    finally:
        Path(output).write_text(
            json.dumps(recorder.document(), indent=1) + "\n", encoding="utf-8"
        )


@contextmanager
def _sqlalchemy_statements(recorder: Recorder) -> Iterator[None]:
    try:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
    except ImportError:
        yield
        return
    event.listen(Engine, "before_cursor_execute", recorder.count)
    try:
        yield
    finally:
        event.remove(Engine, "before_cursor_execute", recorder.count)


@contextmanager
def _django_statements(recorder: Recorder) -> Iterator[None]:
    """An execute wrapper on Django's connections: this thread's, and every connection
    opened while recording (each thread has its own)."""
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
        from django.db import connections
        from django.db.backends.signals import connection_created
    except ImportError:
        yield
        return

    def wrapper(execute, sql, params, many, context):
        recorder.count_from(sys._getframe(1))
        return execute(sql, params, many, context)

    wrapped = []

    def wrap(connection) -> None:
        if wrapper not in connection.execute_wrappers:
            # First, so that it stays outermost: a `with connection.execute_wrapper(w)`
            # of the recorded code pops the last wrapper when it ends.
            connection.execute_wrappers.insert(0, wrapper)
            wrapped.append(connection)

    def opened(sender, connection, **kwargs) -> None:
        wrap(connection)

    if settings.configured or os.environ.get("DJANGO_SETTINGS_MODULE"):
        try:
            for alias in connections:
                wrap(connections[alias])
        except ImproperlyConfigured:
            pass
    connection_created.connect(opened, weak=False)
    try:
        yield
    finally:
        connection_created.disconnect(opened)
        for connection in wrapped:
            if wrapper in connection.execute_wrappers:
                connection.execute_wrappers.remove(wrapper)


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
