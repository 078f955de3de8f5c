def run(module, session):
    return module.chain_summary(session)
