def run(module, session):
    module.SessionLocal.configure(bind=session.bind)
    repo = module.ProjectRepository()
    names = repo.names()
    repo.close()
    return names
