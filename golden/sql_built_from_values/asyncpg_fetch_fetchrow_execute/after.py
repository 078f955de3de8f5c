import asyncpg


async def first_renders(conn: asyncpg.Connection, status: str, limit: int) -> list[int]:
    rows = await conn.fetch(
        "SELECT id FROM renders WHERE status = $1 ORDER BY id LIMIT $2",
        status,
        limit,
    )
    return [row["id"] for row in rows]


async def project_name(conn: asyncpg.Connection, project_id: int) -> str | None:
    row = await conn.fetchrow("SELECT name FROM projects WHERE id = $1", project_id)
    return None if row is None else row["name"]


async def set_status(conn: asyncpg.Connection, render_id: int, status: str) -> None:
    await conn.execute("UPDATE renders SET status = $1 WHERE id = $2", status, render_id)
