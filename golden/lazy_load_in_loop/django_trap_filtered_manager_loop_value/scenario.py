def run(module):
    # Ada's limit is 250 (Marrow and A Winter Garden), the others 300; sale 1 (1 copy of
    # book 1, stock 5) and sale 2 (2 of book 4, stock 7) did not empty a shelf
    return module.short_books({"Ada": 250}), module.sales_that_emptied_the_shelf()
