import asyncpg


async def requeue(conn: asyncpg.Connection, render_ids: list[int]) -> None:
    for render_id in render_ids:
        await conn.execute("UPDATE renders SET status = $1 WHERE id = $2", "queued", render_id)
