from collections import defaultdict

import asyncpg

from renderapp.models import Project


async def render_statuses(conn: asyncpg.Connection, projects: list[Project]) -> dict[int, list[tuple]]:
    statuses = {}
    project_ids = [project.id for project in projects]
    renders_by_project_id = defaultdict(list)
    if project_ids:
        for row in await conn.fetch(
            "SELECT id, status, project_id FROM renders WHERE project_id = ANY($1::bigint[]) ORDER BY created_at, id",
            project_ids,
        ):
            renders_by_project_id[row["project_id"]].append(row)
    for project in projects:
        rows = renders_by_project_id.get(project.id, [])
        statuses[project.id] = [(row["id"], row["status"]) for row in rows]
    return statuses
