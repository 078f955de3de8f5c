def run(module, session):
    return sorted(module.render_ids(session, 1))
