def run(module, session):
    # 18 renders loaded before; project 1's unchained ones are 1, 4, 6 and 7
    return module.loose_renders(session)
