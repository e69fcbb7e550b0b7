"""Reads about a person's own account."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.utils import timezone

# (pattern, name): the first that matches names the browser or the system; order matters (Edge says "Chrome").
_BROWSERS = (
    (r"Edg(e|A|iOS)?/", "Edge"),
    (r"MicroMessenger/", "WeChat"),
    (r"OPR/|Opera", "Opera"),
    (r"Firefox/|FxiOS/", "Firefox"),
    (r"Chrome/|CriOS/|Chromium/", "Chrome"),
    (r"Safari/", "Safari"),
)
_SYSTEMS = (
    (r"Android", "Android"),
    (r"iPhone|iPad|iOS", "iOS"),
    (r"Windows", "Windows"),
    (r"Mac OS X|Macintosh", "macOS"),
    (r"CrOS", "ChromeOS"),
    (r"Linux", "Linux"),
)


def describe_user_agent(user_agent: str) -> str:
    """A short "Browser · System" for a person to recognise their device; the raw string is kept as a title."""
    browser = next((name for pattern, name in _BROWSERS if re.search(pattern, user_agent)), "")
    system = next((name for pattern, name in _SYSTEMS if re.search(pattern, user_agent)), "")
    return " · ".join(part for part in (browser, system) if part)


@dataclass(frozen=True)
class SessionRow:
    user_agent: str
    device: str
    ip: str
    created_at: datetime
    last_seen_at: datetime
    is_current: bool


def sessions_of(user: Any, *, current_session_key: str | None) -> list[SessionRow]:
    """The person's open sessions, the most recently used first (one query: expired ones are left out)."""
    if not getattr(user, "is_authenticated", False):
        return []
    live_keys = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    sessions = UserSession.objects.filter(user_id=user.pk, session_key__in=live_keys).order_by("-last_seen_at", "-pk")
    return [
        SessionRow(
            user_agent=session.user_agent,
            device=describe_user_agent(session.user_agent),
            ip=session.ip,
            created_at=session.created_at,
            last_seen_at=session.last_seen_at,
            is_current=session.session_key == current_session_key,
        )
        for session in sessions
    ]
