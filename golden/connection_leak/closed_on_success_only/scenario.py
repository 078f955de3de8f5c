def run(module, session):
    return module.project_count(session.bind)
