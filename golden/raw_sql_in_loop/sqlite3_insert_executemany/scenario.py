from golden_support import dbapi_cursor

BACKENDS = ("sqlite",)  # sqlite3's `?` placeholders


def run(module, session):
    module.publish(dbapi_cursor(session), [3, 7, 3, 12], "picked")


def run_empty(module, session):
    module.publish(dbapi_cursor(session), [], "picked")
