from golden_support import asyncpg_connection

BACKENDS = ("postgresql",)  # asyncpg's `$1` placeholders


async def run(module, session):
    conn = await asyncpg_connection(session)
    await module.set_status(conn, 4, "failed")
    return [
        await module.first_renders(conn, "done", 3),
        await module.first_renders(conn, "failed", 10),
        await module.project_name(conn, 4),
        await module.project_name(conn, 999),
    ]
