BACKENDS = ("sqlite",)  # the case's engine URL is SQLite's: pysqlite's `?`


def run(module, session):
    conn = session.connection()
    return [module.renders_with_status(conn, status) for status in ("done", "queued", "x")]
