"""The e-mail copy of a notification, in the recipient's language, sent at most once."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from wagtail.users.models import UserProfile

from .kinds import notification_kinds
from .models import Notification


def recipient_language(user) -> str:
    profile = UserProfile.objects.filter(user=user).values_list("preferred_language", flat=True).first()
    return profile if profile in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def notification_email_send(*, notification_id: int) -> bool:
    """Send the e-mail unless it was sent already (the claim is a conditional update, so a retry sends nothing)."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    kind = notification_kinds.get(notification.kind)
    with translation.override(recipient_language(notification.recipient)):
        subject = str(kind.title) % notification.params
        body = (str(kind.body) % notification.params) if kind.body else subject
        if notification.url:
            body += "\n\n" + settings.WAGTAILADMIN_BASE_URL.rstrip("/") + notification.url
    send_mail(subject, body, None, [notification.recipient.email])
    return True
