SEED = "legacyapp"


def run(service, session):
    return service.sample_orders(session, ["paid", "pending", "nope"])
