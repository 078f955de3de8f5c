def run(module):
    from django.test import RequestFactory

    # the books of Ada and Ben (publisher 1)
    return module.by_author(RequestFactory().get("/books/")).content.decode()
