def run(module, session):
    # six public items over four renders (1 twice, 10 twice): 1 + 4 round trips before
    return module.public_gallery(session)
