def run(module, session):
    # Ana's projects 1-3, then their renders: 2 round trips; selectinload makes it 3
    return module.renders_with_project(session, 1)
