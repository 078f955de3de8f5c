def run(module, session):
    return module.project_names(session, ["legacy-2", "1", "2", "404"])
