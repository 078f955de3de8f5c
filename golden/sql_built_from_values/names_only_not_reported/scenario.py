from golden_support import dbapi_cursor

BACKENDS = ("sqlite",)  # a sqlite3 cursor


def run(module, session):
    return module.count_rows(dbapi_cursor(session), ["renders", "projects"])
