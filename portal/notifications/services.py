"""`notify()`: the one way to tell people that something happened."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from portal import celery_app

from .kinds import notification_kinds
from .models import Notification

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
