def run(module, session):
    # six projects, stamp() commits after each: every project after the first is refreshed
    # and its renders loaded again, with or without selectinload
    return module.stamp_render_counts(session)
