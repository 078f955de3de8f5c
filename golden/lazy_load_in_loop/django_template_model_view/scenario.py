def run(module):
    from django.test import RequestFactory

    view = module.AllBooks.as_view()
    pages = []
    for page in ("1", "2"):  # eight books, five a page, in title order
        response = view(RequestFactory().get("/books/", {"page": page}))
        pages.append(response.render().content.decode())
    return pages
