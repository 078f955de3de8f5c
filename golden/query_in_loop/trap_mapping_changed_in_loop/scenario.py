SEED = "keyapp"


def run(module, session):
    # "a" twice: the second time it leads to rowing (grey), not running (red)
    return module.walk_labels(session, ["a", "b", "a"], {"a": "running", "b": "hiking"})
