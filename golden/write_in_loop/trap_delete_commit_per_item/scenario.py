SEED = "purgeapp"


def run(module, session):
    module.purge_archived_one_by_one(session)
