import importlib


async def run(service, session):
    # The tables open their own sessions: bind the application's sessionmaker to this run's engine.
    tables = importlib.import_module(".tables", service.__package__)
    tables.async_session.configure(bind=session.bind)
    # Ana: project 1 has seven renders (cut to four), 2 has two, 3 none; Ben: 4 has six,
    # 5 none; Dev: no projects at all (no batch query either)
    return {user_id: await service.latest_renders(user_id) for user_id in (1, 2, 4)}


async def run_empty(service, session):
    tables = importlib.import_module(".tables", service.__package__)
    tables.async_session.configure(bind=session.bind)
    return await service.latest_renders(4)  # Dev has no projects
