import importlib


async def run(service, session):
    # The DAL opens its own sessions: bind the application's sessionmaker to this run's engine.
    dal = importlib.import_module(".dal", service.__package__)
    dal.async_session.configure(bind=session.bind)
    # Ana: project 1 has seven renders (cut to four, ties at minutes 42 and 43), 2 has two,
    # 3 none; Ben: 4 has six, 5 none; Dev: no projects at all (no batch query either)
    return {user_id: await service.dashboard(user_id) for user_id in (1, 2, 4)}


async def run_empty(service, session):
    dal = importlib.import_module(".dal", service.__package__)
    dal.async_session.configure(bind=session.bind)
    return await service.dashboard(4)  # Dev has no projects
