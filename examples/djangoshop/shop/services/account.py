"""The customer's account page, served by an async view."""

from __future__ import annotations

from shop.models import Customer, Order, Review


async def account_overview(customer_id: int) -> dict[str, object]:
    """Left alone: the three reads do not depend on each other, but Django runs every
    ORM call of a request on one thread and one connection, so gathering them would run
    them one after another all the same."""
    customer = await Customer.objects.aget(pk=customer_id)
    orders = await Order.objects.filter(customer_id=customer_id).acount()
    reviews = await Review.objects.filter(customer_id=customer_id).acount()
    return {"name": customer.name, "orders": orders, "reviews": reviews}


async def orders_per_customer(customers: list[Customer]) -> dict[str, int]:
    counts = {}
    for customer in customers:
        counts[customer.email] = await Order.objects.filter(customer=customer).acount()
    return counts
