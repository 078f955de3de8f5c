def run(module, session):
    # projects 1 and 2 tie on created_at; Dev (4) has no projects
    return module.team_directory(session, [1, 2, 4])
