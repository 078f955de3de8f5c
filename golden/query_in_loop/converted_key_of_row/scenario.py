SEED = "keyapp"


def run(module, session):
    # "t-1" tags three sports, "t-2" and "t-3" one each, "t-4" none: the top 3 with a tie
    return {"top": module.top_tags(session), "top_one": module.top_tags(session, limit=1)}


def run_empty(module, session):
    return module.top_tags(session, limit=0)
