def run(module, session):
    return module.first_failed(session)
