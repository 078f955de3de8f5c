def run(module, session):
    return [
        module.renders_with_status(session, "done", 4),
        module.renders_with_status(session, "queued", 1),
        module.users_named(session, "Ben Okafor"),
    ]
