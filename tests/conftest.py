"""Shared fixtures: the databases the golden scenarios run on."""

from __future__ import annotations

import pytest
from golden_support import PostgresServer, find_postgres_binaries


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL cluster for the whole session (unix socket only).

    Skips, and only then, when the machine has no PostgreSQL server binaries; any other
    trouble starting it is an error.
    """
    binaries = find_postgres_binaries()
    if binaries is None:
        pytest.skip("PostgreSQL server binaries not found (initdb, pg_ctl, postgres)")
    server = PostgresServer(binaries)
    server.start()
    try:
        yield server
    finally:
        server.stop()
