"""The payments back-office URLs (/cms/payments/…) and menu item. Patterns with an id are registered for the
outsider sweep in selfservice/payments/outsider.py."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.core.menu import ShownToMenuItem

from . import admin_views

admin_urlpatterns = [
    path("", admin_views.setup_index, name="setup_index"),
    path("orders/<uuid:order_id>/cancel/", admin_views.order_cancel_view, name="order_cancel"),
    path("<str:company_code>/", admin_views.setup_edit, name="setup_edit"),
]


@hooks.register("register_admin_urls")
def register_payments_urls():
    return [path("payments/", include((admin_urlpatterns, "payments_admin")))]


@hooks.register("register_admin_menu_item")
def payments_menu_item():
    return ShownToMenuItem(
        _("Payments"),
        reverse("payments_admin:setup_index"),
        name="payments",
        icon_name="decimal",
        order=255,
        shown_to=admin_views.may_view_payments,
    )
