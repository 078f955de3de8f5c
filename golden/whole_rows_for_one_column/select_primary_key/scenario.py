def run(module, session):
    return sorted(module.failed_render_ids(session))
