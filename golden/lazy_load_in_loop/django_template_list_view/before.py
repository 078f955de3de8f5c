from django.views.generic import ListView

from djbooks.models import Book


class PublishedBooks(ListView):
    queryset = Book.objects.filter(is_published=True)
