from golden_support import dbapi_cursor

BACKENDS = ("sqlite",)  # a sqlite3 cursor


def run(module, session):
    cur = dbapi_cursor(session)
    return [module.users_named(cur, "Ana Duarte"), module.users_named(cur, "Nobody")]
