def run(module):
    # books 3 and 7 have no tags; Tag's Meta.ordering (name) orders each book's tags,
    # in the prefetch too
    return module.tag_lists()
