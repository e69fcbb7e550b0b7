"""What a notification says, per kind. Rows keep the kind and its parameters, not the text, so each person reads
it (in the inbox and in the e-mail) in their own language. Apps register their kinds at import time of their
`notifications.py`-free modules (e.g. the services module that sends them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.core.registry import Registry


@dataclass(frozen=True)
class NotificationKind:
    key: str
    # lazily translated, with %(name)s placeholders filled from the notification's params
    title: Any
    body: Any = ""
    # the e-mail preference this kind belongs to (people can switch e-mail off per group)
    group: str = "general"


notification_kinds = Registry("notification kinds")


def register_kind(key: str, *, title: Any, body: Any = "", group: str = "general") -> NotificationKind:
    kind = NotificationKind(key=key, title=title, body=body, group=group)
    notification_kinds.register(key, kind)
    return kind
