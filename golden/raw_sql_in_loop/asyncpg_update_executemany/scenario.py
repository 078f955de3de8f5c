from golden_support import asyncpg_connection

BACKENDS = ("postgresql",)  # asyncpg's `$1` placeholders


async def run(module, session):
    await module.requeue(await asyncpg_connection(session), [4, 999, 12, 4])


async def run_empty(module, session):
    await module.requeue(await asyncpg_connection(session), [])
