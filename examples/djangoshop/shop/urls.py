from django.urls import path

from shop import views

urlpatterns = [
    path("categories/", views.category_pages),
    path("recent/", views.recently_viewed),
    path("customers/<int:customer_id>/orders/", views.order_history),
    path("customers/<int:customer_id>/", views.account_page),
]
