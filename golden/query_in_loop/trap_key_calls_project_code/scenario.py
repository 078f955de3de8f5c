SEED = "keyapp"


def run(module, session):
    module._SEEN.clear()
    return module.tag_names(session, ["2", "1", "9"]), list(module._SEEN)
