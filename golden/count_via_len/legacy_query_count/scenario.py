def run(module, session):
    return [module.finished_renders(session, project_id) for project_id in (1, 2, 3)]
