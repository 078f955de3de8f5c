def run(module, session):
    return module.projects_page(session, 1), module.project_menu(session)
