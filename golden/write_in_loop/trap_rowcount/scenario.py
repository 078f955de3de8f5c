def run(module, session):
    missing = module.requeue_by_id(session, [4, 40, 12])
    assert missing == [40], missing
    return missing
