def run(module, session):
    # Ana: 7, 2 and 0 renders; Ben: 6 and 0
    return [module.project_render_counts(session, user_id) for user_id in (1, 2)]


def run_empty(module, session):
    return module.project_render_counts(session, 4)  # Dev has no projects
