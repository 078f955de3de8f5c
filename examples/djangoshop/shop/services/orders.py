"""Orders: the history pages, checkout, shipping and the cart."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from shop.models import CartItem, Customer, Order, OrderLine, StockMovement


def order_summary(order_id: int) -> list[str]:
    """One line per order line: the product's name and what it cost."""
    lines = []
    for line in OrderLine.objects.filter(order_id=order_id).order_by("id"):
        lines.append(f"{line.quantity} x {line.product.name} at {line.unit_price}")
    return lines


def order_history(customer_id: int) -> list[str]:
    """Every order of a customer, newest first, with what was in it."""
    history = []
    for order in Order.objects.filter(customer_id=customer_id):
        skus = [line.product_id for line in order.lines.all()]
        history.append(f"#{order.pk} {order.status} {order.placed_at:%Y-%m-%d}: {skus}")
    return history


def orders_by_customer(customers: list[Customer]) -> dict[str, list[int]]:
    result = {}
    for customer in customers:
        result[customer.email] = [order.pk for order in Order.objects.filter(customer=customer)]
    return result


@transaction.atomic
def checkout(customer: Customer, placed_at: datetime) -> Order:
    """Turn the customer's cart into an order."""
    items = list(CartItem.objects.filter(customer=customer).select_related("product").order_by("id"))
    order = Order.objects.create(customer=customer, placed_at=placed_at)
    for item in items:
        OrderLine.objects.create(
            order=order, product=item.product, quantity=item.quantity, unit_price=item.product.price
        )
    # Each movement's post_save receiver takes the quantity off the stock: bulk_create()
    # would skip it, so these stay one create() per item.
    for item in items:
        StockMovement.objects.create(product=item.product, change=-item.quantity, reason="order")
    for item in CartItem.objects.filter(customer=customer):
        item.delete()
    return order


@transaction.atomic
def ship(order_ids: list[int]) -> None:
    for order in Order.objects.filter(pk__in=order_ids, status=Order.PLACED):
        order.status = Order.SHIPPED
        order.save(update_fields=["status"])


@transaction.atomic
def double_cart_quantities(customer: Customer) -> None:
    """Left alone: CartItem.touched_at is auto_now, which bulk_update() would not set."""
    for item in CartItem.objects.filter(customer=customer):
        item.quantity *= 2
        item.save()
