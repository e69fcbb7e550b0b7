"""The header's inbox link: the unread count, one query per request and only when a template shows it."""

from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext

from .selectors import unread_count

_REQUEST_ATTRIBUTE = "_portal_inbox_badge"


class InboxBadge:
    def __init__(self, user) -> None:
        self.user = user

    @cached_property
    def unread(self) -> int:
        return unread_count(self.user)

    @property
    def label(self) -> str:
        count = self.unread
        if not count:
            return gettext("Inbox: no unread notifications")
        return ngettext("%(count)d unread notification", "%(count)d unread notifications", count) % {"count": count}


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Several templates of one response (panels rendered apart) share the same badge, so the count runs once.
    badge = getattr(request, _REQUEST_ATTRIBUTE, None)
    if badge is None:
        badge = InboxBadge(user)
        setattr(request, _REQUEST_ATTRIBUTE, badge)
    return {"inbox_badge": badge}
