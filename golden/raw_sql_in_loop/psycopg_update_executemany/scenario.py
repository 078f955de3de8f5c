from golden_support import dbapi_cursor

BACKENDS = ("postgresql",)  # psycopg's `%s` placeholders


def run(module, session):
    module.requeue(dbapi_cursor(session), [4, 999, 12, 4])


def run_empty(module, session):
    module.requeue(dbapi_cursor(session), [])
