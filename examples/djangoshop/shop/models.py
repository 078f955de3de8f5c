from django.db import models
from django.utils.text import slugify


class Category(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The slug follows the name: anything that skips save() leaves it stale.
        self.slug = slugify(self.name)
        super().save(*args, **kwargs)


class Tag(models.Model):
    name = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ListedManager(models.Manager):
    """Products a customer may see: the delisted ones stay in the database for old orders."""

    def get_queryset(self):
        return super().get_queryset().filter(is_listed=True)


class Product(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=120)
    sku = models.CharField(max_length=20, unique=True)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    stock = models.IntegerField(default=0)
    is_listed = models.BooleanField(default=True)
    tags = models.ManyToManyField(Tag, related_name="products", blank=True)

    objects = models.Manager()
    listed = ListedManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Customer(models.Model):
    name = models.CharField(max_length=100)
    email = models.EmailField(unique=True)
    city = models.CharField(max_length=60)

    def __str__(self):
        return self.name


class Order(models.Model):
    PLACED = "placed"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"
    STATUSES = [(PLACED, "Placed"), (SHIPPED, "Shipped"), (CANCELLED, "Cancelled")]

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    status = models.CharField(max_length=20, choices=STATUSES, default=PLACED)
    placed_at = models.DateTimeField()

    class Meta:
        ordering = ["-placed_at", "-id"]

    def __str__(self):
        return f"order #{self.pk}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=8, decimal_places=2)


class Review(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    body = models.TextField(blank=True)
    created_at = models.DateTimeField()


class CartItem(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="cart_items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE)
    quantity = models.PositiveIntegerField(default=1)
    # Set by every save(): bulk_update() and queryset.update() would leave it as it was.
    touched_at = models.DateTimeField(auto_now=True)


class StockMovement(models.Model):
    """A change of a product's stock; the post_save receiver in signals.py applies it."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock_movements")
    change = models.IntegerField()
    reason = models.CharField(max_length=40)
