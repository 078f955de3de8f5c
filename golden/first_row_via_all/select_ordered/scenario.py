def run(module, session):
    found = []
    for project_id in (1, 2, 3):
        try:
            found.append(module.latest_render(session, project_id))
        except IndexError:
            found.append("IndexError")  # project 3 has no renders
    return found
