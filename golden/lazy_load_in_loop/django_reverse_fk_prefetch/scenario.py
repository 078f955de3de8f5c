def run(module):
    # Dan has no books; each author's books in Book's Meta.ordering (title), in the
    # prefetch too
    return module.bibliographies()
