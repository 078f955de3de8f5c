SEED = "legacyapp"


def run(module, session):
    # paid orders 1, 2, 4, 5 belong to customers 1, 2, 1, 2: repeated keys. One call only:
    # Query.get answers repeated keys from the identity map, so a second report in the same
    # session would not show the per-item queries the rewrite removes.
    return module.OrderReport(session).rows()


def run_empty(module, session):
    return module.OrderReport(session).rows(status="refunded")  # no such orders
