def run(module, session):
    # Ana: project 1 (seven renders, chain 3 on three), 2 (two renders, no chain), 3 (none)
    return module.chain_names(session, 1)
