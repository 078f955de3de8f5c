def run(module, session):
    return module.projects_with_done_renders(session)
