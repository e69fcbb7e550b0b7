"""The AVL's back-office URLs (/cms/avl/…) and its menu item. https://docs.wagtail.org/en/stable/reference/hooks.html

Entries are named by their uuid in the path; each such pattern is registered in rfq/avl/outsider.py."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.core.menu import ShownToMenuItem, is_staff

from . import admin_views

admin_urlpatterns = [
    path("", admin_views.entry_index, name="entry_index"),
    path("export.xlsx", admin_views.entry_export, name="entry_export"),
    path("new/", admin_views.entry_create, name="entry_create"),
    path("<uuid:entry_id>/", admin_views.entry_detail, name="entry_detail"),
    path("<uuid:entry_id>/edit/", admin_views.entry_edit, name="entry_edit"),
]


@hooks.register("register_admin_urls")
def register_avl_urls():
    return [path("avl/", include((admin_urlpatterns, "avl_admin")))]


@hooks.register("register_admin_menu_item")
def avl_menu_item():
    return ShownToMenuItem(
        _("Approved vendor list"),
        reverse("avl_admin:entry_index"),
        shown_to=is_staff,
        name="approved-vendor-list",
        icon_name="tick-inverse",
        order=250,
    )
