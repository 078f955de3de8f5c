import asyncpg

from renderapp.models import Project


async def render_statuses(conn: asyncpg.Connection, projects: list[Project]) -> dict[int, list[tuple]]:
    statuses = {}
    for project in projects:
        rows = await conn.fetch(
            "SELECT id, status, project_id FROM renders WHERE project_id = $1 ORDER BY created_at, id",
            project.id,
        )
        statuses[project.id] = [(row["id"], row["status"]) for row in rows]
    return statuses
