SEED = "purgeapp"


def run(module, session):
    module.delete_boards(session, ["garden", "kitchen"])
