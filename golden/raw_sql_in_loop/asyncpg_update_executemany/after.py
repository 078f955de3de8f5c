import asyncpg


async def requeue(conn: asyncpg.Connection, render_ids: list[int]) -> None:
    renders_updates = [("queued", render_id) for render_id in render_ids]
    if renders_updates:
        await conn.executemany(
            "UPDATE renders SET status = $1 WHERE id = $2", renders_updates
        )
