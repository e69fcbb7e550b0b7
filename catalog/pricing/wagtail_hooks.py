"""The price lists' back-office URLs (/cms/prices/…) and menu item. Price lists are named by their uuid in the
path; every such pattern is registered for the outsider sweep in catalog/pricing/outsider.py."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.core.menu import ShownToMenuItem

from . import admin_views

admin_urlpatterns = [
    path("", admin_views.price_list_index, name="price_list_index"),
    path("<uuid:price_list_id>/", admin_views.price_list_detail, name="price_list_detail"),
    path("<uuid:price_list_id>/edit/", admin_views.price_list_edit, name="price_list_edit"),
    path("<uuid:price_list_id>/import/", admin_views.price_list_import, name="price_list_import"),
    path("<uuid:price_list_id>/lines/", admin_views.price_list_line, name="price_list_line"),
]


@hooks.register("register_admin_urls")
def register_pricing_urls():
    return [path("prices/", include((admin_urlpatterns, "pricing_admin")))]


@hooks.register("register_admin_menu_item")
def price_lists_menu_item():
    return ShownToMenuItem(
        _("Price lists"),
        reverse("pricing_admin:price_list_index"),
        name="price-lists",
        icon_name="tag",
        order=245,
        shown_to=admin_views.may_view_prices,
    )
