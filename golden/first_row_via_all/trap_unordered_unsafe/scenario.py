def run(module, session):
    return module.some_render(session, 1) > 0
