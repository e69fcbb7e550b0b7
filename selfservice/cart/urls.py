"""/shop/cart/: the cart, quick order, re-order, and checkout. The order confirmation PDF is served
at /customer/orders/<uuid>/confirmation.pdf (selfservice.orders.confirmation.order_confirmation_pdf)."""

from django.urls import path

from . import views

app_name = "cart"

urlpatterns = [
    path("", views.cart_page, name="cart"),
    path("add/", views.cart_add_view, name="add"),
    path("lines/<uuid:line_id>/", views.line_update, name="line_update"),
    path("lines/<uuid:line_id>/remove/", views.line_remove, name="line_remove"),
    path("clear/", views.clear, name="clear"),
    path("quick/", views.quick_order, name="quick"),
    path("reorder/<uuid:order_id>/", views.reorder, name="reorder"),
    path("checkout/", views.checkout_page, name="checkout"),
    path("checkout/submit/", views.checkout_post, name="checkout_submit"),
]
