def run(module, session):
    module.SessionLocal.configure(bind=session.bind)
    return module.names()
