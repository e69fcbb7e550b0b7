"""Back-office menu and URLs for the outbox and webhook endpoints. https://docs.wagtail.org/en/stable/reference/hooks.html"""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.core.menu import ShownToMenuItem, is_group_admin, is_staff

from . import admin_views

admin_urlpatterns = [
    path("events/", admin_views.event_index, name="event_index"),
    path("events/replay-dead/", admin_views.events_replay_dead_view, name="events_replay_dead"),
    path("events/<uuid:event_id>/", admin_views.event_detail, name="event_detail"),
    path("events/<uuid:event_id>/replay/", admin_views.event_replay_view, name="event_replay"),
    path("events/<uuid:event_id>/skip/", admin_views.event_skip_view, name="event_skip"),
    path("endpoints/", admin_views.endpoint_index, name="endpoint_index"),
    path("endpoints/new/", admin_views.endpoint_create, name="endpoint_create"),
    path("endpoints/<uuid:endpoint_id>/", admin_views.endpoint_edit, name="endpoint_edit"),
    path("endpoints/<uuid:endpoint_id>/rotate/", admin_views.endpoint_rotate_secret, name="endpoint_rotate_secret"),
    path("endpoints/<uuid:endpoint_id>/deactivate/", admin_views.endpoint_deactivate, name="endpoint_deactivate"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("integration/", include((admin_urlpatterns, "integration_admin")))]


@hooks.register("register_admin_menu_item")
def outbox_menu_item():
    return ShownToMenuItem(
        _("Outbox events"),
        reverse("integration_admin:event_index"),
        name="outbox-events",
        icon_name="resubmit",
        order=8900,
        shown_to=is_staff,
    )


@hooks.register("register_admin_menu_item")
def endpoints_menu_item():
    return ShownToMenuItem(
        _("Webhook endpoints"),
        reverse("integration_admin:endpoint_index"),
        name="webhook-endpoints",
        icon_name="link",
        order=8910,
        shown_to=is_group_admin,
    )
