def run(module, session):
    return module.renders_page(session, 0), module.gallery_export(session)
