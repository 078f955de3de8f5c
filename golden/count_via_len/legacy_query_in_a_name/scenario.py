def run(module, session):
    return [module.has_renders_by(session, 1, user_id) for user_id in (1, 2, 3)]
