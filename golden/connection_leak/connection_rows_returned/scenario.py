def run(module, session):
    return [module.project_names(session.bind, user_id) for user_id in (1, 2, 999)]
