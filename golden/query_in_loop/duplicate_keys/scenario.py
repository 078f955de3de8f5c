def run(module, session):
    # 1 twice, 999 does not exist, 2 has no gallery items
    return module.gallery_pages(session, [1, 10, 1, 999, 2, 13])
