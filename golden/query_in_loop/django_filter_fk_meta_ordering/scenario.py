from djbooks.models import Author


def run(module):
    # Ada: three books, Cleo: three, Dan: none; each in Book's Meta.ordering (title),
    # which is not id order
    authors = list(Author.objects.filter(pk__in=[3, 1, 4]).order_by("name"))
    return module.books_by_author(authors)


def run_empty(module):
    return module.books_by_author([])
