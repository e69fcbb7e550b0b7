"""The quote requests' back-office URLs (/cms/quotes/…) and menu item. Requests are named by their uuid in the path;
every such pattern is registered for the outsider sweep in catalog/shop/outsider.py."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.core.menu import ShownToMenuItem

from . import admin_views
from .home_panel import add_quote_requests_panel

admin_urlpatterns = [
    path("", admin_views.quote_index, name="quote_index"),
    path("<uuid:quote_id>/", admin_views.quote_detail, name="quote_detail"),
]


@hooks.register("register_admin_urls")
def register_quote_urls():
    return [path("quotes/", include((admin_urlpatterns, "shop_admin")))]


@hooks.register("register_admin_menu_item")
def quotes_menu_item():
    return ShownToMenuItem(
        _("Quote requests"),
        reverse("shop_admin:quote_index"),
        name="quote-requests",
        icon_name="doc-full",
        order=246,
        shown_to=admin_views.may_view_quotes,
    )


# What waits for sales staff on the back office's start page (quote requests to answer).
hooks.register("construct_homepage_panels", add_quote_requests_panel)
