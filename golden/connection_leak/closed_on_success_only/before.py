from sqlalchemy import Engine, text


def project_count(engine: Engine) -> int:
    conn = engine.connect()
    count = conn.execute(text("SELECT count(*) FROM projects")).scalar_one()
    conn.close()
    return count
