def run(module, session):
    return module.done_renders(session)
