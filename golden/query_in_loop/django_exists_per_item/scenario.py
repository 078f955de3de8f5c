from djbooks.models import Book


def run(module):
    # five-star reviews: books 1, 4 (two of them) and 8
    return module.top_rated(list(Book.objects.order_by("pk")))


def run_empty(module):
    return module.top_rated([])
