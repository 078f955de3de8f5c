SEED = "purgeapp"


def run(module, session):
    # albums 2 (photos 2, 3, 5) and 4 (no photos) are archived: both go, with their photos
    module.purge_archived(session)
