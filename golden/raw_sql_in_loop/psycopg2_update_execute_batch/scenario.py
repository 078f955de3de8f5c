import contextlib

from golden_support import COUNTER_KEY, CountedCursor

BACKENDS = ("postgresql",)  # a psycopg 2 connection to the run's database


@contextlib.contextmanager
def psycopg2_cursor(session):
    """A psycopg 2 cursor on the run's database (its own connection, committing each
    statement, so the run's session reads what it wrote), counted as the run's."""
    import psycopg2

    dsn = session.connection().connection.dbapi_connection.info.dsn
    connection = psycopg2.connect(dsn)
    connection.autocommit = True
    try:
        yield CountedCursor(connection.cursor(), session.info[COUNTER_KEY])
    finally:
        connection.close()


def run(module, session):
    with psycopg2_cursor(session) as cur:
        module.requeue(cur, [4, 999, 12, 4])


def run_empty(module, session):
    with psycopg2_cursor(session) as cur:
        module.requeue(cur, [])
