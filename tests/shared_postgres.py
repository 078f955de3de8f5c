"""One PostgreSQL cluster for a whole test run, shared by every pytest-xdist worker.

The run's directory (made by the controlling process, see conftest.py) holds a lock and,
once a cluster runs, `postgres.json` with its directory and port. The first process that
needs the cluster starts it under the lock and writes the file; the others attach to it.
Only the controlling process stops it, when the run ends (`stop_shared`): a worker that
finishes early must not take the cluster from the others.
"""

from __future__ import annotations

import json
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
