"""The `n1fix` process ends without tearing the interpreter down (`n1fix.process_exit`),
and ends as the ordinary exit would: the same status, the output flushed, the `atexit`
handlers run."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from n1fix_project import MODELS, PYPROJECT, SERVICE, in_process


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_status_buffered_output_and_exit_handlers_are_kept() -> None:
    proc = _python(
        """\
        import atexit, sys
        from n1fix.process_exit import exit_at_once
        atexit.register(lambda: print("handler ran"))
        print("no newline yet", end="")
        sys.stderr.write("err")
        exit_at_once(3)
        """
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        3,
        "no newline yethandler ran\n",
        "err",
    )


def test_none_is_status_zero() -> None:
    proc = _python("from n1fix.process_exit import exit_at_once\nexit_at_once(None)")
    assert proc.returncode == 0


def test_a_message_or_an_unusual_code_exits_the_ordinary_way() -> None:
    message = _python(
        "from n1fix.process_exit import exit_at_once\nexit_at_once('bye')"
    )
    assert (message.returncode, message.stderr) == (1, "bye\n")
    folded = _python("from n1fix.process_exit import exit_at_once\nexit_at_once(-1)")
    assert folded.returncode == 255


def test_a_running_thread_is_waited_for() -> None:
    proc = _python(
        """\
        import threading, time
        from n1fix.process_exit import exit_at_once
        def late():
            time.sleep(0.2)
            print("thread done", flush=True)
        threading.Thread(target=late).start()
        exit_at_once(4)
        """
    )
    assert (proc.returncode, proc.stdout) == (4, "thread done\n")


def test_a_profiler_around_the_run_still_reports() -> None:
    proc = _python(
        """\
        import cProfile, pstats, io
        from n1fix.process_exit import exit_at_once
        profile = cProfile.Profile()
        profile.enable()
        try:
            exit_at_once(5)
        except SystemExit as exit_:
            profile.disable()
            print("profiled, code", exit_.code)
        """
    )
    assert proc.stdout == "profiled, code 5\n"


def test_python_m_n1fix_prints_and_exits_as_main_does(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(MODELS)
    (tmp_path / "app" / "service.py").write_text(SERVICE)
    args = ("scan", "--no-cache", "--format", "json", "app")
    with in_process(args, tmp_path, {"NO_COLOR": "1"}, 120) as streams:
        from n1fix.cli_plain import main

        try:
            main()
            code = 0
        except SystemExit as exit_:
            code = exit_.code
    out, err = streams
    proc = subprocess.run(
        [sys.executable, "-m", "n1fix", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert json.loads(out.text())  # something was found, so the comparison says much
    assert (proc.returncode, proc.stdout, proc.stderr) == (code, out.text(), err.text())
