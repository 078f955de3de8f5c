def run(module, session):
    # Ana's three projects: 1 + 3 round trips before, 2 after; loading each render's
    # project as well (rejected.py) adds a third for objects the session already holds
    return module.render_captions(session, 1)
