import sqlite3


def rename_project(path: str, project_id: int, name: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE projects SET name = ? WHERE id = ?", (name, project_id))
    conn.commit()
