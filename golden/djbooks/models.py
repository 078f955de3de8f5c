from django.db import models
from django.db.models import F
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.text import slugify


class Publisher(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, blank=True)

    def save(self, *args, **kwargs):
        # bulk_update() and queryset.update() skip this: the slug would go stale
        self.slug = slugify(self.name)
        super().save(*args, **kwargs)


class Author(models.Model):
    name = models.CharField(max_length=100)
    publisher = models.ForeignKey(
        Publisher, on_delete=models.SET_NULL, null=True, related_name="authors"
    )


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]


class Edition(models.Model):
    # unique by a total UniqueConstraint: in_bulk(keys, field_name="isbn") accepts it
    isbn = models.CharField(max_length=20)
    # unique only among the editions in print (a conditional constraint): in_bulk
    # refuses it (ValueError), and a code may repeat across in-print and retired ones
    code = models.CharField(max_length=20)
    in_print = models.BooleanField(default=True)
    # unique through a unique_together of one field, which in_bulk refuses too
    slug = models.SlugField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["isbn"], name="edition_isbn_unique"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(in_print=True),
                name="edition_code_in_print_unique",
            ),
        ]
        unique_together = [("slug",)]


class PublishedManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(is_published=True)


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    pages = models.IntegerField()
    price = models.DecimalField(max_digits=6, decimal_places=2)
    stock = models.IntegerField(default=0)
    is_published = models.BooleanField(default=True)
    tags = models.ManyToManyField(Tag, related_name="books", blank=True)

    objects = models.Manager()
    published = PublishedManager()

    class Meta:
        ordering = ["title"]

    def top_reviews(self):
        # a query of its own per book: a prefetch of `reviews` does not serve it
        return self.reviews.order_by("-rating", "id")[:2]

    def returned_loans(self):
        # Django's prefetch takes a to_attr the object already has as filled: a
        # Prefetch(..., to_attr="returned_loans") would load nothing and leave this method
        return self.loans.filter(returned=True)


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.CharField(max_length=100)
    rating = models.IntegerField()
    created_at = models.DateTimeField()


class Sale(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="sales")
    quantity = models.IntegerField()
    sold_at = models.DateTimeField()


@receiver(post_save, sender=Sale)
def take_sale_from_stock(sender, instance, created, **kwargs):
    # bulk_create() sends no post_save: the stock would stay as it was
    if created:
        Book.objects.filter(pk=instance.book_id).update(
            stock=F("stock") - instance.quantity
        )


class Loan(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="loans")
    borrower = models.CharField(max_length=100)
    returned = models.BooleanField(default=False)
    # set on every save(); bulk_update() and queryset.update() leave it as it was
    updated_at = models.DateTimeField(auto_now=True)


class ShownManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(hidden=False)


class Note(models.Model):
    # Declared first, `shown` is the default manager: `book.notes` is built on its class,
    # so hidden notes are left out of every related read, not only of `Note.shown`
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="notes")
    text = models.CharField(max_length=200)
    pinned = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)

    shown = ShownManager()
    objects = models.Manager()

    class Meta:
        ordering = ["id"]
