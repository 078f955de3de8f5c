def run(module, session):
    module.SessionLocal.configure(bind=session.bind)
    db = next(module.get_db())
    names = module.project_names(db)
    db.close()
    return names
