def run(module):
    from django.test import RequestFactory

    # books 3, 6 and 8 have less than 3 in stock
    return module.low_stock(RequestFactory().get("/books/")).content.decode()
