import importlib


async def run(service, session):
    # The projects table opens its own sessions: bind the application's sessionmaker to this run's engine.
    tables = importlib.import_module(".tables", service.__package__)
    tables.async_session.configure(bind=session.bind)
    return [await service.account_page(1, session), await service.account_page(4, session)]
