def run(module):
    return module.long_book_titles(200)


def run_empty(module):
    return module.long_book_titles(100000)
