"""Reads of a person's own notifications. Nobody reads anyone else's: every query starts from the recipient."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from .kinds import groups_in_order
from .models import Notification, NotificationPreference


def notifications_of(user: Any) -> QuerySet[Notification]:
    """The person's inbox, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    return notifications_of(user).filter(read_at__isnull=True).count()


def get_notification_for_user(user: Any, notification_uuid: Any) -> Notification:
    """One of the person's own notifications; 404 for anyone else's (and for a malformed id)."""
    try:
        return notifications_of(user).get(uuid=notification_uuid)
    except (Notification.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def email_preferences_of(user: Any) -> list[tuple[Any, bool]]:
    """(group, e-mail on?) for every group; a group without a row is on."""
    switched_off = set(
        NotificationPreference.objects.filter(user=user, email_enabled=False).values_list("group", flat=True)
    )
    return [(group, group.key not in switched_off) for group in groups_in_order()]
