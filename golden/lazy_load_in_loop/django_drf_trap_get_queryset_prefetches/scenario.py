import json

from rest_framework.test import APIRequestFactory


def run(module):
    # the six published books in title order, each with its author's name and its tags
    response = module.BookList.as_view()(APIRequestFactory().get("/books/"))
    return json.loads(response.render().content)
