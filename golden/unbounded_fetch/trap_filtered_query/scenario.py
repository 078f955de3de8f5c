def run(module, session):
    return module.project_prompts(session, 1)
