def run(module, session):
    return module.project_sizes(session, 1)
