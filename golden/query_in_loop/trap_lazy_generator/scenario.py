def run(module, session):
    # the caller streams the rows out, e.g. into a CSV writer
    return list(module.gallery_export_rows(session, 1))
