from django.views.generic import ListView

from djbooks.models import Book


class AllBooks(ListView):
    model = Book
    queryset = Book.objects.select_related("author").prefetch_related("reviews")
    paginate_by = 5
