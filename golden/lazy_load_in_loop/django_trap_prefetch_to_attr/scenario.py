def run(module):
    # books 2, 4 and 6 have classic or poetry tags; the others an empty list
    return module.shelf_tags()
