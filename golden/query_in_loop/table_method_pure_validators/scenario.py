import importlib


async def run(service, session):
    # The table method opens its own session: bind the module's sessionmaker to this
    # run's engine.
    users = importlib.import_module(".users", service.__package__)
    users.async_session.configure(bind=session.bind)
    # 99 does not exist; 2 is asked twice
    return await service.member_cards([2, 1, 99, 4, 2])


async def run_empty(service, session):
    users = importlib.import_module(".users", service.__package__)
    users.async_session.configure(bind=session.bind)
    return await service.member_cards([])
