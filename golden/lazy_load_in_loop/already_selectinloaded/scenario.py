def run(module, session):
    return module.project_sizes(session, 1), module.project_sizes_loop(session, 1)
