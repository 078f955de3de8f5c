def run(module, session):
    return module.public_titles(session, 1)
