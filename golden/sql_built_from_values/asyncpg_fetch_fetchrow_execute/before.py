import asyncpg


async def first_renders(conn: asyncpg.Connection, status: str, limit: int) -> list[int]:
    rows = await conn.fetch(f"SELECT id FROM renders WHERE status = '{status}' ORDER BY id LIMIT {limit}")
    return [row["id"] for row in rows]


async def project_name(conn: asyncpg.Connection, project_id: int) -> str | None:
    row = await conn.fetchrow(f"SELECT name FROM projects WHERE id = {project_id}")
    return None if row is None else row["name"]


async def set_status(conn: asyncpg.Connection, render_id: int, status: str) -> None:
    await conn.execute(f"UPDATE renders SET status = '{status}' WHERE id = {render_id}")
