from django.shortcuts import render

from djbooks.models import Book


def rare_tags(request):
    books = Book.objects.prefetch_related("tags")
    return render(request, "djbooks/rare_tags.html", {"books": books})
