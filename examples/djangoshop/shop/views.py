from django.http import JsonResponse

from shop.services import account, catalog, orders


def category_pages(request):
    return JsonResponse(catalog.category_pages())


def recently_viewed(request):
    ids = [int(pk) for pk in request.GET.getlist("id")]
    return JsonResponse(
        {"cards": [{"name": c.name, "price": str(c.price), "category": c.category} for c in catalog.product_cards(ids)]}
    )


def order_history(request, customer_id):
    return JsonResponse({"orders": orders.order_history(customer_id)})


async def account_page(request, customer_id):
    return JsonResponse(await account.account_overview(customer_id))
