SEED = "loadapp"


def run(module, session):
    # noload: every team reads an empty list, with no query; selectinload would load rows
    return module.pending_invitations(session)
