def run(module, session):
    # eight gallery items, two private (13's and one of render 1's)
    return module.public_items(session)
