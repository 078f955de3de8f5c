SEED = "legacyapp"


def run(module, session):
    # author 1's newest published post is 2 (post 4, as new, is a draft); author 2's is 5;
    # author 3 has none; author 1 is asked twice
    return module.latest_titles(session, [1, 2, 3, 1])


def run_empty(module, session):
    return module.latest_titles(session, [])
