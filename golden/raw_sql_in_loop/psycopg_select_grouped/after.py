from collections import defaultdict

import psycopg

from renderapp.models import Project


def render_statuses(cur: psycopg.Cursor, projects: list[Project]) -> dict[int, list[tuple]]:
    statuses = {}
    project_ids = [project.id for project in projects]
    renders_by_project_id = defaultdict(list)
    if project_ids:
        cur.execute(
            "SELECT id, status, project_id FROM renders WHERE project_id = ANY(%s) ORDER BY created_at, id",
            (project_ids,),
        )
        for row in cur.fetchall():
            renders_by_project_id[row[2]].append(row)
    for project in projects:
        rows = renders_by_project_id.get(project.id, [])
        statuses[project.id] = [(row[0], row[1]) for row in rows]
    return statuses
