def run(module):
    # the books in stock, each with its author's key
    return module.author_ids_in_stock()
