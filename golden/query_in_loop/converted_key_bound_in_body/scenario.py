SEED = "keyapp"


def run(module, session):
    # repeated ids, an id with no sport, and a cell with spaces (int() accepts them)
    rows = [{"sport_id": "3"}, {"sport_id": "1"}, {"sport_id": " 3 "}, {"sport_id": "99"}]
    return module.sport_labels(session, rows)


def run_empty(module, session):
    return module.sport_labels(session, [])
