def run(module, session):
    # renders with a parent: 3, 5, 9, 11, 12, 17; of those by users 1 or 3: 5, 9, 12, 17
    return module.derived_renders_of(session)
