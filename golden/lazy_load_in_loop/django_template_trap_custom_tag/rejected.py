from django.shortcuts import render

from djbooks.models import Book


def low_stock(request):
    books = Book.objects.filter(stock__lt=3).select_related("author")
    return render(request, "djbooks/low_stock.html", {"books": books})
