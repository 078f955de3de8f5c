from django.db.models import F
from django.db.models.signals import post_save
from django.dispatch import receiver

from shop.models import Product, StockMovement


@receiver(post_save, sender=StockMovement)
def apply_stock_movement(sender, instance, created, **kwargs):
    # bulk_create() sends no post_save: a movement created that way would not move stock.
    if created:
        Product.objects.filter(pk=instance.product_id).update(stock=F("stock") + instance.change)
