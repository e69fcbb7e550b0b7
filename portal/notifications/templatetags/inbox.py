from django import template

from portal.notifications.kinds import render_body, render_title

register = template.Library()


@register.filter
def notification_title(notification) -> str:
    """The notification's title in the reader's (the active) language."""
    return render_title(notification.kind, notification.params)


@register.filter
def notification_body(notification) -> str:
    return render_body(notification.kind, notification.params)
