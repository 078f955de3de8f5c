def run(module, session):
    return module.remove_items(session, [2, 7, 99])
