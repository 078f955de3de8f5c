SEED = "purgeapp"


def run(module, session):
    # folders 1 (notes 1, 2) and 2 (no notes) go; their notes stay, with folder_id NULL
    module.drop_old_folders(session)
