SEED = "legacyapp"


def run(module, session):
    # author 1's newest post is the draft 4 unless only published ones count (then 2)
    return module.latest_titles(session, [1, 2, 3], True), module.latest_titles(session, [1, 2], False)
