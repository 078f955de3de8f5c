def run(module):
    # Ben's books 4 and 5 go, and with them (CASCADE) their reviews, sales and loans,
    # and their rows of the tags table
    module.drop_books(2)


def run_empty(module):
    module.drop_books(4)  # Dan has no books
