"""Sales orders' back-office URLs (/cms/orders/…), the "Sales orders" menu item and the start page's "Orders to
review" panel. https://docs.wagtail.org/en/stable/reference/hooks.html
Every pattern with an order's uuid is registered for the outsider sweep in selfservice/orders/outsider.py."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.core.menu import ShownToMenuItem

from . import admin_views
from .access import may_view_orders
from .home_panel import add_orders_panel

admin_urlpatterns = [
    path("", admin_views.order_index, name="order_index"),
    path("<uuid:order_id>/", admin_views.order_review, name="order_review"),
    path("<uuid:order_id>/lines/<uuid:line_id>/decide/", admin_views.line_decide, name="line_decide"),
    path("<uuid:order_id>/credit-approval/", admin_views.credit_approval, name="credit_approval"),
]


@hooks.register("register_admin_urls")
def register_orders_urls():
    return [path("orders/", include((admin_urlpatterns, "orders_admin")))]


@hooks.register("register_admin_menu_item")
def sales_orders_menu_item():
    return ShownToMenuItem(
        _("Sales orders"),
        reverse("orders_admin:order_index"),
        shown_to=may_view_orders,
        name="sales-orders",
        icon_name="list-ul",
        order=260,
    )


hooks.register("construct_homepage_panels", add_orders_panel)
