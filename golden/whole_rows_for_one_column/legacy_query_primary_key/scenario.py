def run(module, session):
    return [module.project_ids_of(session, user_id) for user_id in (1, 2, 4)]
