def run(module, session):
    return module.first_started(session)
