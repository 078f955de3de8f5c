from django.views.generic import ListView

from djbooks.models import Book


class AllBooks(ListView):
    model = Book
    paginate_by = 5
