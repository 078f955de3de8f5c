def run(module, session):
    return module.failed_renders(session)
