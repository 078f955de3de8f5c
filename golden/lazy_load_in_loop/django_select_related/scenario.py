def run(module):
    # seven books in stock, from three authors (Ada's twice, Ben's twice, Cleo's three)
    return module.in_stock()
