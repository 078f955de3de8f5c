from golden_support import dbapi_cursor

BACKENDS = ("sqlite",)  # a sqlite3 cursor


def run(module, session):
    return module.renders_of(dbapi_cursor(session), "done", 4)
