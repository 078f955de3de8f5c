def run(module, session):
    # render 1 has a private item (2) next to two public ones; render 13's only item (7)
    # is private; render 10's are public; render 4 has none
    module.unpublish_private_items(session, [1, 4, 10, 13])
    module.unpublish_private_items(session, [])
