def run(module):
    return module.reviews_page(1), module.reviewers()
