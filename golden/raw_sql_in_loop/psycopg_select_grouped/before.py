import psycopg

from renderapp.models import Project


def render_statuses(cur: psycopg.Cursor, projects: list[Project]) -> dict[int, list[tuple]]:
    statuses = {}
    for project in projects:
        cur.execute(
            "SELECT id, status, project_id FROM renders WHERE project_id = %s ORDER BY created_at, id",
            (project.id,),
        )
        rows = cur.fetchall()
        statuses[project.id] = [(row[0], row[1]) for row in rows]
    return statuses
