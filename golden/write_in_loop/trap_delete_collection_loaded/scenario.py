SEED = "purgeapp"


def run(module, session):
    module.purge_archived(session)
