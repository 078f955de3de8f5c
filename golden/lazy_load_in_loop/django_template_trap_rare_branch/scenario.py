def run(module):
    from django.test import RequestFactory

    # no book has more than 100 in stock: the branch never renders
    return module.rare_tags(RequestFactory().get("/books/")).content.decode()
