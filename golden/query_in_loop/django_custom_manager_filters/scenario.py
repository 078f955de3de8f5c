from djbooks.models import Author


def run(module):
    # Ada and Cleo each have an unpublished book (3, 7) the manager leaves out; Dan none
    return module.published_titles(list(Author.objects.order_by("pk")))


def run_empty(module):
    return module.published_titles([])
