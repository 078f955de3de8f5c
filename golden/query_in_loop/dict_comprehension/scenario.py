def run(module, session):
    # Ana's oldest project is 3, and 1 and 2 tie on created_at; Dev (4) has no projects
    return module.team_directory(session, [1, 2, 4])
