def run(module):
    # the books in stock (Meta.ordering: by title), each with its author's key
    return module.author_ids_in_stock()
