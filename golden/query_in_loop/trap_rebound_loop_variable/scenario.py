def run(module, session):
    return module.project_names(session, ["2", "1", "2", "404"])
