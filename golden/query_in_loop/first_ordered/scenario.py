def run(module, session):
    return {
        # project 1's newest finished renders tie at minute 43 (5 and 6); project 3 is empty
        "ana": module.project_covers(session, 1),
        # project 5 is empty
        "ben": module.project_covers(session, 2),
        # no projects at all
        "dev": module.project_covers(session, 4),
    }


def run_empty(module, session):
    return module.project_covers(session, 4)  # Dev has no projects
