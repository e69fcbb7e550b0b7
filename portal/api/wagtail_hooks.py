"""Back-office menu and URLs for the API clients, next to the webhook endpoints (/cms/integration/api-clients/).
https://docs.wagtail.org/en/stable/reference/hooks.html"""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.core.menu import ShownToMenuItem, is_group_admin

from . import admin_views

admin_urlpatterns = [
    path("", admin_views.client_index, name="client_index"),
    path("new/", admin_views.client_create, name="client_create"),
    path("<uuid:client_id>/rotate/", admin_views.client_rotate_key, name="client_rotate_key"),
    path("<uuid:client_id>/revoke/", admin_views.client_revoke, name="client_revoke"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("integration/api-clients/", include((admin_urlpatterns, "api_clients_admin")))]


@hooks.register("register_admin_menu_item")
def api_clients_menu_item():
    return ShownToMenuItem(
        _("API clients"),
        reverse("api_clients_admin:client_index"),
        name="api-clients",
        icon_name="key",
        order=8920,
        shown_to=is_group_admin,
    )
