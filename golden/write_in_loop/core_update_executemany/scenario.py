def run(module, session):
    conn = session.connection()
    # 999 matches no row: the per-item UPDATE updated nothing, and so does the executemany
    # (the ORM bulk UPDATE by primary key would raise StaleDataError here)
    module.apply_positions(conn, {5: 1, 3: 2, 999: 3, 1: 4})
    module.apply_positions(conn, {})
