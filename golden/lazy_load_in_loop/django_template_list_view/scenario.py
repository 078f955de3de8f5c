def run(module):
    from django.test import RequestFactory

    # six published books; book 2 has one review, books 1 and 4 several, book 6 none
    response = module.PublishedBooks.as_view()(RequestFactory().get("/books/"))
    return response.render().content.decode()
