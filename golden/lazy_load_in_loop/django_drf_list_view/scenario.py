import json

from rest_framework.test import APIRequestFactory


def run(module):
    # the six published books in title order (Book's Meta.ordering), each with its
    # author, the author's publisher and its tags in name order (Tag's)
    response = module.BookList.as_view()(APIRequestFactory().get("/books/"))
    return json.loads(response.render().content)
