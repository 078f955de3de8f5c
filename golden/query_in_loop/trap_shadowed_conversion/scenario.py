SEED = "keyapp"


def run(module, session):
    return [tag.name if tag is not None else None for tag in module.tag_names(session, [3, 1, 7])]
