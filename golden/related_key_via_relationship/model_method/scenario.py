def run(module, session):
    return module.export_keys(session)
