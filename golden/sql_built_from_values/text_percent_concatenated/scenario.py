def run(module, session):
    return [
        module.renders_of(session, 1, "done"),
        module.renders_of(session, 2, "queued"),
        module.renders_of(session, 3, "failed"),
    ]
