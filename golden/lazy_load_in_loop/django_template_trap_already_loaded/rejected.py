from django.shortcuts import render

from djbooks.models import Book


def by_author(request):
    books = (
        Book.objects.select_related("author")
        .filter(author__publisher_id=1)
        .select_related("author")
    )
    return render(request, "djbooks/by_author.html", {"books": books})
