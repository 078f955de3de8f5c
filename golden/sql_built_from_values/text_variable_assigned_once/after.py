from sqlalchemy import text
from sqlalchemy.orm import Session


def renders_with_status(session: Session, status: str, project_id: int) -> list[tuple]:
    sql = "SELECT id FROM renders WHERE status = :status AND project_id = :project_id ORDER BY id"
    rows = session.execute(text(sql), {"status": status, "project_id": project_id}).all()
    return [tuple(row) for row in rows]


def users_named(session: Session, name: str) -> list[tuple]:
    query = "SELECT id, email FROM users WHERE display_name = '%s' ORDER BY id" % name
    print("running the users query")
    return [tuple(row) for row in session.execute(text(query)).all()]
