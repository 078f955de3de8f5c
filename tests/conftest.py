"""Shared fixtures: the databases the golden scenarios run on, and the runs the run
memo did not answer (`long_way`).

The suite runs in parallel (pytest-xdist, `-n auto` in pyproject.toml). One PostgreSQL
cluster serves the whole run: the run's directory is made by the controlling process and
handed to each worker; the first worker that needs the cluster starts it, the others
attach to it, and the controlling process stops it at the end, or, when the run is killed,
a process watching the controlling one does (shared_postgres.py).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from golden_support import find_postgres_binaries
from shared_postgres import shared_server, stop_shared, watch_run

import n1fix.engine.cache as cache_module

RUN_DIR = "n1fix_run_dir"  # the key of the run's directory in a worker's workerinput
WATCHER = "n1fix_watcher"  # the controlling process's end of the pipe to the watcher


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # a worker: it uses the controlling process's directory
    # Not under the pytest tmp dir: that is private to us (0700) and the cluster runs as
    # the postgres user when we are root; and a unix socket path must stay short.
    run_dir = Path(tempfile.mkdtemp(prefix="n1fix-run-"))
    setattr(config, RUN_DIR, run_dir)
    setattr(config, WATCHER, watch_run(run_dir))


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """pytest-xdist: hand each worker the run's directory."""
    node.workerinput[RUN_DIR] = str(getattr(node.config, RUN_DIR))


def pytest_unconfigure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    run_dir = getattr(config, RUN_DIR, None)
    if run_dir is None:
        return
    try:
        stop_shared(run_dir)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
        os.close(getattr(config, WATCHER))  # the watcher finds nothing left to do


def run_dir(config: pytest.Config) -> Path:
    workerinput = getattr(config, "workerinput", None)
    return (
        Path(workerinput[RUN_DIR])
        if workerinput is not None
        else getattr(config, RUN_DIR)
    )


@pytest.fixture(scope="session")
def postgres_server(request):
    """The run's throwaway PostgreSQL cluster (unix socket only), shared by all workers.

    Skips, and only then, when the machine has no PostgreSQL server binaries; any other
    trouble starting it is an error.
    """
    binaries = find_postgres_binaries()
    if binaries is None:
        pytest.skip("PostgreSQL server binaries not found (initdb, pg_ctl, postgres)")
    server = shared_server(run_dir(request.config), binaries)
    try:
        yield server
    finally:
        server.detach()


@pytest.fixture
def long_way(monkeypatch) -> list:
    """Each run that opened the results cache (the run memo did not answer)."""
    loads: list = []
    load = cache_module.Cache.load.__func__

    def counted(cls, root, settings):
        loads.append(root)
        return load(cls, root, settings)

    monkeypatch.setattr(cache_module.Cache, "load", classmethod(counted))
    return loads
