def run(module, session):
    # repeated ids, an id with no project, and a cell with spaces (int() accepts them)
    return module.project_names(session, ["2", "1", " 2 ", "404"])


def run_empty(module, session):
    return module.project_names(session, [])
