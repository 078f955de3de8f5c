def run(module, session):
    return module.plan_choices(session)
