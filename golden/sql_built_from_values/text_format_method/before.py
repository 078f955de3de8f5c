from sqlalchemy import text
from sqlalchemy.orm import Session


def named_project(session: Session, name: str) -> list[tuple]:
    rows = session.execute(text("SELECT id FROM projects WHERE name = '{name}' ORDER BY id".format(name=name))).all()
    return [tuple(row) for row in rows]


def renders_with_status(session: Session, status: str, project_id: int) -> list[tuple]:
    rows = session.execute(
        text("SELECT id FROM renders WHERE status = '{}' AND project_id = {} ORDER BY id".format(status, project_id))
    ).all()
    return [tuple(row) for row in rows]
