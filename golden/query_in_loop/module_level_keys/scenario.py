def run(module, session):
    return module.showcase(session)
