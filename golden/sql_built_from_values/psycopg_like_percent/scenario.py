from golden_support import dbapi_cursor

BACKENDS = ("postgresql",)  # a psycopg 3 cursor


def run(module, session):
    cur = dbapi_cursor(session)
    return [module.s_projects(cur, user_id) for user_id in (1, 2, 4)]
