def run(module, session):
    return module.chain_ids(session, 4)
