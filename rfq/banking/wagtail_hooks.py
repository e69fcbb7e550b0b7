"""Back-office menu and URLs for bank details changes. https://docs.wagtail.org/en/stable/reference/hooks.html"""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.core.menu import ShownToMenuItem

from . import admin_views
from .access import is_bank_details_approver

admin_urlpatterns = [
    path("", admin_views.change_index, name="change_index"),
    path("<uuid:change_id>/", admin_views.change_detail, name="change_detail"),
    path("<uuid:change_id>/approve/", admin_views.change_approve, name="change_approve"),
    path("<uuid:change_id>/reject/", admin_views.change_reject, name="change_reject"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("bank-details/", include((admin_urlpatterns, "banking_admin")))]


@hooks.register("register_admin_menu_item")
def bank_details_menu_item():
    return ShownToMenuItem(
        _("Bank details changes"),
        reverse("banking_admin:change_index"),
        name="bank-details-changes",
        icon_name="doc-full",
        order=240,
        shown_to=is_bank_details_approver,
    )
