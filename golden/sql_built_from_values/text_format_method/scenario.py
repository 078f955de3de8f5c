def run(module, session):
    return [
        module.named_project(session, "Storyboard"),
        module.named_project(session, "Nothing"),
        module.renders_with_status(session, "done", 4),
        module.renders_with_status(session, "queued", 1),
    ]
