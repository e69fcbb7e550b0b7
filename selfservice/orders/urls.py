"""/customer/orders/: the customer's orders. Every pattern with an order's uuid is registered for the outsider
sweep in selfservice/orders/outsider.py."""

from django.urls import path

from . import views

app_name = "customer_orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("<uuid:order_id>/", views.order_detail, name="detail"),
    path("<uuid:order_id>/confirmation.pdf", views.order_confirmation, name="confirmation_pdf"),
]
