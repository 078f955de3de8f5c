BACKENDS = ("postgresql",)  # the case's engine URL is psycopg's: `%s`


def run(module, session):
    conn = session.connection()
    return [module.s_projects(conn, user_id) for user_id in (1, 2, 4)]
