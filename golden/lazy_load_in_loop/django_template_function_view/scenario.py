def run(module):
    from django.test import RequestFactory

    # seven books in stock (three authors, two publishers); two of them have no tags
    response = module.books_in_stock(RequestFactory().get("/books/"))
    return response.content.decode()


def run_empty(module):
    from django.test import RequestFactory

    from djbooks.models import Book

    Book.objects.update(stock=0)  # rolled back after the run
    return module.books_in_stock(RequestFactory().get("/books/")).content.decode()
