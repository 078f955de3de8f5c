def run(module, session):
    # the caption reads the project's name: its row is loaded either way
    return module.render_caption(session, 8)
