def run(module):
    from django.test import RequestFactory

    return module.shelf(RequestFactory().get("/books/")).content.decode()
