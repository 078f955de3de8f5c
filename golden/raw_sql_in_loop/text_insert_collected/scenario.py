def run(module, session):
    return module.publish(session, [(3, " sunset "), (7, "   "), (3, "dawn"), (12, "night sky")])


def run_empty(module, session):
    return module.publish(session, [])
