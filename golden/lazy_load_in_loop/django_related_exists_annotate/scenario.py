def run(module):
    # Ada, Ben and Cleo have books; Dan has none
    return module.authors_with_books()
