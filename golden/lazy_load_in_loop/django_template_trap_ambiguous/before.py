from django.shortcuts import render

from djbooks.models import Book


def shelf(request):
    books = Book.objects.filter(stock__gt=0)
    return render(request, "djbooks/shelf.html", {"books": books})
