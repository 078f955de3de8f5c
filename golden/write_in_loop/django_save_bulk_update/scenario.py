from djbooks.models import Book


def run(module):
    books = list(Book.objects.filter(author_id=2))  # Ben's two books
    module.discount(books, 15)
    return [(book.pk, book.price) for book in books]


def run_empty(module):
    module.discount([], 15)
