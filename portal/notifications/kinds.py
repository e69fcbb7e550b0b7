"""What a notification says, per kind. Rows keep the kind and its parameters, not the text, so each person reads
it (in the inbox and in the e-mail) in their own language. Apps register their kinds at import time of their
`notifications.py`-free modules (e.g. the services module that sends them).

Kinds belong to a group; people switch the e-mail copy on or off per group (/account/inbox/settings/). The core
registers the groups every part of the portal shares; an app may add its own with `register_group()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from portal.core.registry import Registry


@dataclass(frozen=True)
class NotificationKind:
    key: str
    # lazily translated, with %(name)s placeholders filled from the notification's params
    title: Any
    body: Any = ""
    # the e-mail preference this kind belongs to (people can switch e-mail off per group)
    group: str = "general"


@dataclass(frozen=True)
class NotificationGroup:
    key: str
    label: Any  # lazily translated
    order: int = 100


notification_kinds = Registry("notification kinds")
notification_groups = Registry("notification groups")


def register_kind(key: str, *, title: Any, body: Any = "", group: str = "general") -> NotificationKind:
    kind = NotificationKind(key=key, title=title, body=body, group=group)
    notification_kinds.register(key, kind)
    return kind


def register_group(key: str, *, label: Any, order: int = 100) -> NotificationGroup:
    group = NotificationGroup(key=key, label=label, order=order)
    notification_groups.register(key, group)
    return group


def groups_in_order() -> list[NotificationGroup]:
    """Every group people can switch e-mail for: the registered ones, and any group a kind names."""
    groups = {key: group for key, group in notification_groups.items()}
    for _key, kind in notification_kinds.items():
        groups.setdefault(kind.group, NotificationGroup(key=kind.group, label=kind.group, order=1000))
    return sorted(groups.values(), key=lambda group: (group.order, group.key))


def _fill(text: Any, params: dict) -> str:
    text = str(text)
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        # a parameter the text expects is missing (a kind changed after the row was written): show the text as is
        return text


def render_title(kind_key: str, params: dict) -> str:
    """The notification's title in the active language."""
    kind = notification_kinds.get(kind_key)
    if kind is None:
        return str(_("Notification"))
    return _fill(kind.title, params)


def render_body(kind_key: str, params: dict) -> str:
    kind = notification_kinds.get(kind_key)
    if kind is None or not kind.body:
        return ""
    return _fill(kind.body, params)


register_group("general", label=_("General"), order=10)
register_group("account", label=_("My account and team"), order=20)
register_group("onboarding", label=_("Registrations and approvals"), order=30)
register_group("sourcing", label=_("RFQs, bids and awards"), order=40)
register_group("orders", label=_("Orders, deliveries and receipts"), order=50)
register_group("settlement", label=_("Statements, invoices and payments"), order=60)
register_group("quality", label=_("Quality claims"), order=70)
