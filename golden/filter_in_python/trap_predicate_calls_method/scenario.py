def run(module, session):
    return module.jacket_renders(session)
