"""End the `n1fix` process without tearing the interpreter down.

An interpreter that exits normally frees every object still alive, one by one, and runs
full collections of the cyclic garbage collector over them first: the project index,
the surveys, the last LibCST trees. After a cold scan of prefect that is about half a
CPU second (a tenth of the whole run) spent on memory the operating system takes back
at once anyway. mypy ends the same way (`os._exit` once its output is flushed).

What an exit does that matters is kept: the `atexit` handlers run (multiprocessing's,
logging's), and stdout and stderr are flushed. Whenever the short way could end
differently (a thread other than the main one is still running, a stream cannot be
flushed, a profiler or a debugger is watching and reports once the program is done),
the process exits the ordinary way, with the same code.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn


def exit_at_once(code: object) -> NoReturn:
    """Exit as `sys.exit(code)` would at the top of the program, without freeing memory."""
    status = 0 if code is None else code
    if type(status) is not int or not 0 <= status <= 255:
        sys.exit(code)  # a message to print, or a code the platform would fold
    if threading.active_count() > 1:
        sys.exit(code)  # the interpreter would wait for the other threads
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # a profiler or debugger around the run reports after it
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except Exception:  # noqa: BLE001 - a closed pipe: the interpreter reports it
            sys.exit(code)
    os._exit(status)
