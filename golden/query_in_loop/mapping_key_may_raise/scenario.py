SEED = "keyapp"

LABELS = {"run": "running", "ride": "cycling", "hike": "hiking", "swim": "swimming"}


def run(module, session):
    # repeated codes, and "swim" names no sport
    return module.colours_for(session, ["hike", "run", "hike", "swim"], LABELS)


def run_empty(module, session):
    return module.colours_for(session, [], LABELS)
