def run(module, session):
    module.SessionLocal.configure(bind=session.bind)
    dependency = module.get_db()
    db = next(dependency)
    names = module.project_names(db)
    dependency.close()
    return names, db.get_bind() is session.bind
