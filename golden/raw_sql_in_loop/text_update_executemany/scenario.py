def run(module, session):
    module.set_statuses(session, {5: "queued", 3: "failed", 999: "done", 1: "queued"})


def run_empty(module, session):
    module.set_statuses(session, {})
