"""/customer/: the customer workspace."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.dashboard, name="customer_dashboard"),
    path("orders/", include("selfservice.orders.urls")),
    path("payments/", include("selfservice.payments.urls")),
]
