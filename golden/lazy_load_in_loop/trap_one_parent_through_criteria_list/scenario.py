def run(module, session):
    # project 1's six renders that did not fail, then their one project: 2 round trips;
    # selectinload makes them 2 as well (the rows, then the option's IN query)
    return module.renders_with_project_name(session, 1)
