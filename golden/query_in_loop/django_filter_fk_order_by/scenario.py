from djbooks.models import Book


def run(module):
    # book 1: ratings 4, 5, 4, 2 (the tie broken by id), 4: 5, 5, 2, 3: none, 8: 5, 3;
    # book 1 twice: each gets its reviews
    books = [Book.objects.get(pk=pk) for pk in (4, 1, 3, 8, 1)]
    return module.reviewers(books)


def run_empty(module):
    return module.reviewers([])
