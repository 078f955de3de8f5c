import contextlib

from golden_support import COUNTER_KEY, CountedCursor

BACKENDS = ("postgresql",)  # a psycopg 2 connection to the run's database


@contextlib.contextmanager
def psycopg2_cursor(session):
    """A psycopg 2 cursor on the run's database (its own connection), counted as the
    run's."""
    import psycopg2

    dsn = session.connection().connection.dbapi_connection.info.dsn
    connection = psycopg2.connect(dsn)
    try:
        yield CountedCursor(connection.cursor(), session.info[COUNTER_KEY])
    finally:
        connection.close()


def run(module, session):
    with psycopg2_cursor(session) as cur:
        return [
            [module.s_projects(cur, user_id) for user_id in (1, 2, 4)],
            module.projects_named(cur, "Storyboard", 2),
            module.projects_named(cur, "Storyboard", 1),
        ]
