SEED = "catalogapp"


def run(service, session):
    return service.passwords(session, [2, 9, 1])
