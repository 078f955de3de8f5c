def run(module, session):
    return module.finished_by_project(session, 1)
