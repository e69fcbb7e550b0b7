"""/customer/payments/: paying an order and cancelling it (the order's uuid in the path; see outsider.py)."""

from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("<uuid:order_id>/", views.pay, name="pay"),
    path("<uuid:order_id>/status/", views.order_status, name="order_status"),
    path("<uuid:order_id>/cancel/", views.cancel, name="order_cancel"),
]
