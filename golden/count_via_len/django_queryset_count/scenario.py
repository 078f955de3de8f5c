def run(module):
    return [module.review_count(book_id) for book_id in (1, 3, 4)]
