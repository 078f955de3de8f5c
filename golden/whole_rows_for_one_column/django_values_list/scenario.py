def run(module):
    return module.long_book_titles(200), sorted(module.long_book_ids(200))


def run_empty(module):
    return module.long_book_titles(100000), module.long_book_ids(100000)
