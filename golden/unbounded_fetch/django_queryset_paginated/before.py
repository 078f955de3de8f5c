from django.core.paginator import Paginator

from djbooks.models import Review


def reviews_page(number: int) -> list[Review]:
    return list(Paginator(Review.objects.order_by("id"), 3).page(number))


def reviewers() -> list[str]:
    return sorted({review.reviewer for review in Review.objects.all()})
