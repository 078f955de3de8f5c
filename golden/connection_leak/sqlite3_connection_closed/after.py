import sqlite3
from contextlib import closing


def rename_project(path: str, project_id: int, name: str) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("UPDATE projects SET name = ? WHERE id = ?", (name, project_id))
        conn.commit()
