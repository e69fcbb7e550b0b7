"""The e-mail copy of a notification, in the recipient's language, sent at most once and only when the
recipient wants e-mail for the notification's group."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.users.models import UserProfile

from .kinds import notification_kinds, render_body, render_title
from .models import Notification, NotificationPreference


def recipient_language(user) -> str:
    profile = UserProfile.objects.filter(user=user).values_list("preferred_language", flat=True).first()
    return profile if profile in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def absolute_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path if path else ""


def email_wanted(*, user, group: str) -> bool:
    return not NotificationPreference.objects.filter(user=user, group=group, email_enabled=False).exists()


def notification_email_send(*, notification_id: int) -> bool:
    """Send the e-mail unless it was sent already (the claim is a conditional update, so a retry sends nothing)
    or the recipient switched e-mail off for the kind's group."""
    pending = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).select_related("recipient")
    notification = pending.first()
    if notification is None:
        return False
    kind = notification_kinds.get(notification.kind)
    if kind is None or not email_wanted(user=notification.recipient, group=kind.group):
        return False
    claimed = pending.update(emailed_at=timezone.now())
    if not claimed:
        return False
    link = absolute_url(notification.url)
    with translation.override(recipient_language(notification.recipient)):
        subject = render_title(notification.kind, notification.params)
        body = render_body(notification.kind, notification.params) or subject
        text = body + ("\n\n" + link if link else "")
        html = render_to_string(
            "notifications/email.html",
            {
                "portal_name": _("Group Portal"),
                "title": subject,
                "body": body,
                "link": link,
                "settings_link": absolute_url("/account/inbox/settings/"),
                "language_code": translation.get_language(),
            },
        )
    message = EmailMultiAlternatives(subject, text, None, [notification.recipient.email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True
