def run(module, session):
    module.SessionLocal.configure(bind=session.bind)
    return [module.project_names(user_id) for user_id in (1, 2)]
