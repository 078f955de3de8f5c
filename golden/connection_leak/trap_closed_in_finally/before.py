from sqlalchemy import Engine, text


def project_count(engine: Engine) -> int:
    conn = engine.connect()
    try:
        return conn.execute(text("SELECT count(*) FROM projects")).scalar_one()
    finally:
        conn.close()
