from djbooks.models import Book


def run(module):
    # book 8 has one copy left: its stock goes to 0 in memory but is not saved;
    # book 1 goes from 5 to 4 and is saved
    module.sell_one_each(list(Book.objects.filter(pk__in=[1, 8]).order_by("pk")))
