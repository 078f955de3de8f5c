def run(module, session):
    # Ana's renders are spread over projects 1 and 2: 1 + 2 round trips before, 1 after
    return module.render_ids_by_project(session, 1)
