"""`apply`'s write phase: an edit made while n1fix runs is never overwritten, nothing is
written outside the project through a symlink unless asked, an interrupt says what was
written and leaves no temp file, and temp files a killed run left are removed."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from n1fix_project import SERVICE, Run, make_project, n1fix

import n1fix.engine.fileio as fileio
from n1fix.config import Config
from n1fix.engine.runner import run
from n1fix.engine.writer import write_changes


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    root = make_project(tmp_path / "proj")
    monkeypatch.chdir(root)  # paths are shown relative to the current directory
    return root


def _changes(project: Path):
    result = run([project / "app"], project, Config(), fix=True, jobs=1)
    assert len(result.changes) == 1
    return result.changes


def _temps(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*n1fix-tmp*"))


# --- an edit made while n1fix runs ---------------------------------------------------------


def test_a_file_edited_after_it_was_read_is_not_written(project: Path) -> None:
    changes = _changes(project)
    service = project / "app" / "service.py"
    edited = SERVICE + "# the user's edit\n"
    service.write_text(edited)
    report = write_changes(changes, project)
    assert report.written == [] and report.changed_on_disk == 1
    assert report.errors == [
        "app/service.py: changed on disk since n1fix read it; not written (run n1fix again)"
    ]
    assert service.read_text() == edited
    assert _temps(project) == []


def test_an_edit_with_the_same_size_and_time_is_still_seen(project: Path) -> None:
    changes = _changes(project)
    service = project / "app" / "service.py"
    before = service.stat()
    service.write_text(SERVICE.replace("users", "USERS", 1))  # same length
    os.utime(service, ns=(before.st_atime_ns, before.st_mtime_ns))
    report = write_changes(changes, project)
    assert report.changed_on_disk == 1
    assert "USERS" in service.read_text()


def test_an_edit_during_the_write_itself_is_not_overwritten(
    project: Path, monkeypatch
) -> None:
    # The edit lands after the new text went to the temp file, just before the replace.
    changes = _changes(project)
    service = project / "app" / "service.py"
    real_fsync = os.fsync

    def fsync_then_edit(fd: int) -> None:
        real_fsync(fd)
        if not service.read_text().endswith("# edited meanwhile\n"):
            with open(service, "a") as handle:
                handle.write("# edited meanwhile\n")

    monkeypatch.setattr(fileio.os, "fsync", fsync_then_edit)
    report = write_changes(changes, project)
    monkeypatch.undo()
    assert report.changed_on_disk == 1 and report.written == []
    assert service.read_text() == SERVICE + "# edited meanwhile\n"
    assert _temps(project) == []


def _patched(prelude: str, *args: str, cwd: Path) -> subprocess.Popen:
    """The n1fix command with some of its code replaced first (test-only hooks)."""
    code = f"import sys\n{prelude}\nfrom n1fix.cli import main\nsys.argv = ['n1fix', *sys.argv[1:]]\nmain()\n"
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C as a terminal delivers it: a suite started in the background of a
        # script has SIGINT ignored, and a child would inherit that
        preexec_fn=_default_sigint,  # noqa: PLW1509 (the test starts no threads first)
    )


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _finish(proc: subprocess.Popen, timeout: float = 120) -> Run:
    out, err = proc.communicate(timeout=timeout)
    return Run(proc.returncode, out, err)


EDIT_BEFORE_WRITING = """
import n1fix.engine.writer as writer
real = writer.write_atomic
def edit_then_write(path, data, original=None):
    with open(path, "a") as handle:
        handle.write("# edited meanwhile\\n")
    return real(path, data, original=original)
writer.write_atomic = edit_then_write
"""


def test_apply_says_a_changed_file_was_skipped_and_exits_2(project: Path) -> None:
    shutil.copy(project / "app" / "service.py", project / "app" / "service2.py")
    run_ = _finish(
        _patched(EDIT_BEFORE_WRITING, "apply", "app", "-j", "1", cwd=project)
    )
    assert run_.code == 2, run_
    for name in ("service.py", "service2.py"):
        assert (project / "app" / name).read_text() == SERVICE + "# edited meanwhile\n"
        assert (
            f"n1fix: error: app/{name}: changed on disk since n1fix read it; not written (run n1fix again)"
            in run_.err_lines
        )
    [summary] = [line for line in run_.err_lines if line.startswith("No fixes applied")]
    assert (
        "2 files changed on disk while n1fix ran, left as edited (run n1fix again)"
        in summary
    ), summary


# --- symlinks ---------------------------------------------------------------------------


def test_apply_does_not_write_through_a_symlink_out_of_the_project(
    project: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "shared_service.py"
    (project / "app" / "service.py").rename(target)
    (project / "app" / "service.py").symlink_to(target)
    dry = n1fix("apply", "--dry-run", "app", cwd=project)
    assert dry.code == 1 and "+++ " in dry.out, dry
    assert (
        f"note: app/service.py resolves to {target}, outside the project: apply will not write it without "
        "--follow-symlinks"
    ) in dry.err_lines
    run_ = n1fix("apply", "app", cwd=project)
    assert run_.code == 2, run_
    assert target.read_text() == SERVICE
    assert (
        f"n1fix: error: app/service.py: not written: it resolves to {target}, outside the project "
        "(--follow-symlinks writes there)"
    ) in run_.err_lines
    assert _temps(tmp_path) == []

    asked = n1fix("apply", "app", "--follow-symlinks", cwd=project)
    assert asked.code == 0, asked
    assert (
        target.read_text() != SERVICE and (project / "app" / "service.py").is_symlink()
    )


def test_a_symlink_to_a_file_of_the_project_is_written_once(project: Path) -> None:
    (project / "app" / "alias.py").symlink_to("service.py")
    run_ = n1fix("apply", "app", cwd=project)
    assert run_.code == 0, run_
    assert (
        "note: app/service.py: the same file as app/alias.py, written once"
        in run_.err_lines
    )
    assert (project / "app" / "alias.py").is_symlink()
    assert n1fix("scan", "app", cwd=project).code == 0


# --- interrupts ---------------------------------------------------------------------------

# The first fsync (the first file's temp file, before its replace) says so and waits.
PAUSE_IN_FIRST_WRITE = """
import os, pathlib, time
marker = pathlib.Path(sys.argv.pop(1))
real_fsync = os.fsync
def paused_fsync(fd):
    if not marker.exists():
        marker.touch()
        time.sleep(4)
    real_fsync(fd)
os.fsync = paused_fsync
"""


def _three_files(project: Path) -> list[Path]:
    files = [
        project / "app" / name for name in ("service.py", "service2.py", "service3.py")
    ]
    for path in files[1:]:
        shutil.copy(files[0], path)
    return files


def _start_paused_apply(project: Path, tmp_path: Path) -> subprocess.Popen:
    marker = tmp_path / "writing"
    proc = _patched(
        PAUSE_IN_FIRST_WRITE, str(marker), "apply", "app", "-j", "1", cwd=project
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, _finish(proc)
        assert time.monotonic() < deadline, "the write phase never started"
        time.sleep(0.05)
    assert _temps(project), "the first file's temp file should exist now"
    return proc


def test_sigterm_while_writing_finishes_the_file_and_says_what_was_written(
    project: Path, tmp_path: Path
) -> None:
    files = _three_files(project)
    proc = _start_paused_apply(project, tmp_path)
    proc.send_signal(signal.SIGTERM)
    run_ = _finish(proc)
    assert run_.code == 128 + signal.SIGTERM, run_
    assert _temps(project) == []
    texts = [path.read_text() for path in files]
    assert texts[0] != SERVICE and texts[1:] == [SERVICE, SERVICE]
    compile(texts[0], "service.py", "exec")
    assert (
        "n1fix: interrupted by SIGTERM while writing: 1 file written, 2 left as they were"
        in run_.err_lines
    )
    assert [line.strip() for line in run_.err_lines if line.startswith("  ")] == [
        "written: app/service.py",
        "not written: app/service2.py",
        "not written: app/service3.py",
    ]


def test_a_second_sigterm_stops_at_once_and_removes_the_temp_file(
    project: Path, tmp_path: Path
) -> None:
    files = _three_files(project)
    proc = _start_paused_apply(project, tmp_path)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    run_ = _finish(proc)
    assert run_.code == 128 + signal.SIGTERM, run_
    assert _temps(project) == []
    assert [path.read_text() for path in files] == [SERVICE] * 3
    assert (
        "n1fix: interrupted by SIGTERM while writing: 0 files written, 3 left as they were"
        in run_.err_lines
    )


PAUSE_BEFORE_ANALYSIS = """
import pathlib, time
import n1fix.engine.runner as runner
marker = pathlib.Path(sys.argv.pop(1))
real_run = runner.run
def paused_run(*args, **kwargs):
    marker.touch()
    time.sleep(30)
    return real_run(*args, **kwargs)
runner.run = paused_run
"""


@pytest.mark.parametrize(
    "command, message",
    [
        ("apply", "n1fix: interrupted before writing; no file was changed"),
        ("scan", "n1fix: interrupted"),
    ],
)
def test_ctrl_c_says_so_and_exits_130(
    project: Path, tmp_path: Path, command: str, message: str
) -> None:
    marker = tmp_path / "running"
    proc = _patched(PAUSE_BEFORE_ANALYSIS, str(marker), command, "app", cwd=project)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None and time.monotonic() < deadline, _finish(proc)
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    run_ = _finish(proc)
    assert run_.code == 130, run_
    assert run_.err_lines == [message]
    assert (project / "app" / "service.py").read_text() == SERVICE


def test_stale_temp_files_of_a_killed_run_are_removed_by_the_next(
    project: Path,
) -> None:
    app = project / "app"
    stale = app / ".service.py.0123abcd.n1fix-tmp"
    fresh = (
        app / ".models.py.89abcdef.n1fix-tmp"
    )  # may belong to a run writing right now
    other = app / ".service.py.backup.n1fix-tmp"  # not n1fix's naming
    for path in (stale, fresh, other):
        path.write_text("half a file")
    old = time.time() - 3600
    for path in (stale, other):
        os.utime(path, (old, old))
    linked = app / ".x.py.00000000.n1fix-tmp"
    linked.symlink_to(app / "models.py")
    os.utime(linked, (old, old), follow_symlinks=False)

    dry = n1fix("apply", "--dry-run", "app", cwd=project)
    assert stale.exists() and dry.code == 1, (
        dry
    )  # --dry-run writes (and removes) nothing
    run_ = n1fix("apply", "app", cwd=project)
    assert run_.code == 0, run_
    assert not stale.exists()
    assert (
        fresh.exists()
        and other.exists()
        and linked.is_symlink()
        and (app / "models.py").exists()
    )
    assert (
        "note: removed app/.service.py.0123abcd.n1fix-tmp, a temp file left by an interrupted n1fix run"
        in run_.err_lines
    )


def test_a_stale_temp_next_to_a_file_named_on_the_command_line_is_removed(
    project: Path,
) -> None:
    stale = project / "app" / ".service.py.0123abcd.n1fix-tmp"
    stale.write_text("x")
    os.utime(stale, (time.time() - 3600,) * 2)
    assert n1fix("scan", "app/service.py", cwd=project).code == 1
    assert not stale.exists()
