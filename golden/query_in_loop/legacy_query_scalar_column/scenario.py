SEED = "legacyapp"


def run(module, session):
    # paid orders 1, 2, 4, 5 belong to customers 1, 2, 1, 2: repeated keys, each a query
    # of its own before (a column query does not go through the identity map)
    return module.OrderReport(session).rows()


def run_empty(module, session):
    return module.OrderReport(session).rows(status="refunded")  # no such orders
