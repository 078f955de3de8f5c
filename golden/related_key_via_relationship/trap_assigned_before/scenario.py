def run(module, session):
    moved_to = module.move_render(session, 8, 1)
    session.rollback()
    return moved_to
