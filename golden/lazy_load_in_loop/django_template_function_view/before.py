from django.shortcuts import render

from djbooks.models import Book


def books_in_stock(request):
    books = Book.objects.filter(stock__gt=0)
    return render(request, "djbooks/books_in_stock.html", {"books": books})
