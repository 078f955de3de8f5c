def run(module, session):
    return module.project_renders(session, 1)
