import importlib


async def run(service, session):
    # The table methods open their own sessions: bind the module's sessionmaker to this
    # run's engine.
    projects = importlib.import_module(".projects", service.__package__)
    projects.async_session.configure(bind=session.bind)
    # Project 1's name ("Spring lookbook") is too long for ProjectModel: its shaping
    # fails and gives None for that key alone; 99 does not exist; 2 is asked twice.
    readable = await service.readable_projects([2, 1, 99, 4, 2])
    return (
        [project.model_dump() for project in readable],
        await service.project_names([3, 99, 1, 3], db=session),
    )


async def run_empty(service, session):
    projects = importlib.import_module(".projects", service.__package__)
    projects.async_session.configure(bind=session.bind)
    return (
        await service.readable_projects([]),
        await service.project_names([], db=session),
    )
