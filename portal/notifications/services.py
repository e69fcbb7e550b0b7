"""`notify()`: the one way to tell people that something happened; and what people do with their inbox."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from portal import celery_app

from .kinds import groups_in_order, notification_kinds
from .models import Notification, NotificationPreference

SEND_EMAIL_TASK = "portal.notifications.tasks.send_notification_email"


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    params: dict[str, Any] | None = None,
    url: str = "",
    partner: Any = None,
    company: Any = None,
) -> list[Notification]:
    """Create one notification per distinct active recipient in the caller's transaction; each e-mail is sent
    by a Celery task after the commit (a rollback sends nothing)."""
    if kind not in notification_kinds:
        raise ValueError(f"Unknown notification kind {kind!r}: register it with register_kind().")
    safe_params = json.loads(json.dumps(params or {}, cls=DjangoJSONEncoder))
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    notifications = Notification.objects.bulk_create(
        Notification(recipient=user, kind=kind, params=safe_params, url=url, partner=partner, company=company)
        for user in unique.values()
    )
    for notification in notifications:
        transaction.on_commit(
            lambda notification_id=notification.pk: celery_app.tasks[SEND_EMAIL_TASK].delay(notification_id)
        )
    return notifications


def notification_mark_read(*, user: Any, notification: Notification) -> Notification:
    """Mark one of the person's notifications read (already read: nothing changes)."""
    if notification.recipient_id != user.pk:
        raise PermissionError("Only the recipient reads a notification.")
    now = timezone.now()
    updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
    if updated:
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, user: Any) -> int:
    """Mark all of the person's unread notifications read; returns how many changed."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_set(*, user: Any, email_groups: Iterable[str]) -> list[NotificationPreference]:
    """Keep e-mail on for the given groups and switch it off for every other group."""
    wanted = set(email_groups)
    rows = []
    for group in groups_in_order():
        row, _created = NotificationPreference.objects.update_or_create(
            user=user, group=group.key, defaults={"email_enabled": group.key in wanted}
        )
        rows.append(row)
    return rows
