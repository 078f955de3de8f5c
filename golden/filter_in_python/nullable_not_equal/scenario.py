def run(module, session):
    # 18 renders before; chain 3 holds renders 2, 3 and 5; ten renders have chain_id NULL
    return module.renders_outside_chain(session)
