def run(module, session):
    module.Session.configure(bind=session.bind)
    first = module.project_names()
    same = module.Session() is module.Session()
    module.Session.remove()
    return first, same
