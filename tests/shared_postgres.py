"""One PostgreSQL cluster for a whole test run, shared by every pytest-xdist worker.

The run's directory (made by the controlling process, see conftest.py) holds a lock and,
once a cluster runs, `postgres.json` with its directory and port. The first process that
needs the cluster starts it under the lock and writes the file; the others attach to it.
Only the controlling process stops it, when the run ends (`stop_shared`): a worker that
finishes early must not take the cluster from the others. A run that is killed (SIGTERM,
SIGKILL, a closed terminal) never gets there: `watch_run` starts, with the run, a process
that waits for the controlling process to end however it ends, then stops the cluster and
removes the run's directory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from filelock import FileLock
from golden_support import PostgresServer, find_postgres_binaries

INFO = "postgres.json"
LOCK = "postgres.lock"


def shared_server(run_dir: Path, binaries: Mapping[str, Path]) -> PostgresServer:
    """The run's cluster: started here if no process has started it yet."""
    with FileLock(run_dir / LOCK):
        info = run_dir / INFO
        if info.exists():
            data = json.loads(info.read_text(encoding="utf-8"))
            return PostgresServer.attach(binaries, Path(data["dir"]), data["port"])
        server = PostgresServer(binaries)
        server.start()
        info.write_text(
            json.dumps({"dir": str(server.dir), "port": server.port}), encoding="utf-8"
        )
        return server


def stop_shared(run_dir: Path) -> None:
    """Stop the run's cluster, if a process started one, and remove its files."""
    with FileLock(run_dir / LOCK):
        info = run_dir / INFO
        if not info.exists():
            return
        data = json.loads(info.read_text(encoding="utf-8"))
        binaries = find_postgres_binaries()
        assert binaries is not None, "a cluster was started with binaries that are gone"
        PostgresServer.attach(binaries, Path(data["dir"]), data["port"]).stop()
        info.unlink()


def watch_run(run_dir: Path) -> int:
    """Start the process that cleans up after this one (see the module's docstring).

    Returns the write end of the pipe it waits on: this process holds it, not inheritable,
    so the watcher reads end-of-file when this process ends (or closes it) and only then.
    """
    read_end, write_end = os.pipe()
    try:
        subprocess.Popen(
            [sys.executable, __file__, str(run_dir), str(read_end)],
            pass_fds=(read_end,),
            # Its own session: a Ctrl-C or a hang-up for the run's terminal must not end
            # the watcher before it has cleaned up.
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=Path(__file__).parent,
        )
    finally:
        os.close(read_end)
    return write_end


def _clean_up_when_closed(run_dir: Path, read_end: int) -> None:
    while os.read(read_end, 1):
        pass
    if not run_dir.exists():
        return  # the run ended as runs end: it cleaned up itself
    try:
        stop_shared(run_dir)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    _clean_up_when_closed(Path(sys.argv[1]), int(sys.argv[2]))
