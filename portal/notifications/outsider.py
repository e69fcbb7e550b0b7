"""Outsider sweep registrations for /account/inbox/ (imported by the sweep test only)."""

from portal.core.outsider import OutsiderCase, register
from portal.notifications.kinds import notification_kinds, register_kind
from portal.notifications.models import Notification

SWEEP_KIND = "notifications.sweep"
if SWEEP_KIND not in notification_kinds:
    register_kind(SWEEP_KIND, title="Sweep notification", group="general")


register(
    OutsiderCase(
        url_name="notification_read",
        model=Notification,
        make=lambda cast: Notification.objects.create(
            recipient=cast.supplier_a_sales, kind=SWEEP_KIND, url="/account/", partner=cast.supplier_a
        ),
        owner=lambda cast, notification: cast.supplier_a_sales,
        kwargs=lambda notification: {"notification_id": notification.uuid},
        method="post",
        owner_status=302,
    )
)
