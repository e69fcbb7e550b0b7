"""Per-request preferences (language, time zone) and the second-factor requirement."""

import time
import zoneinfo

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.usersessions.internal import usersessionkit
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.users.models import UserProfile

from portal.organisations.access import scope_of

# What a person who still has to enrol a second factor may reach: login, logout, MFA set-up, assets.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/", "/api/", "/favicon.ico")
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
# How often a session's "last seen" (and IP, user agent) is written: once per session, then at most this often.
SESSION_ACTIVITY_INTERVAL_SECONDS = 300
_SESSION_ACTIVITY_KEY = "_portal_session_seen"


class UserPreferencesMiddleware:
    """Use the language and time zone the person chose (Wagtail's UserProfile is the one store)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone_name = settings.TIME_ZONE
        if request.user.is_authenticated:
            profile = (
                UserProfile.objects.filter(user=request.user).values("preferred_language", "current_time_zone").first()
            )
            if profile:
                language = profile["preferred_language"]
                if language in dict(settings.LANGUAGES):
                    translation.activate(language)
                    request.LANGUAGE_CODE = language
                zone_name = profile["current_time_zone"] or zone_name
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def session_used_second_factor(request) -> bool:
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


class RequireMultiFactorMiddleware:
    """Staff and partner administrators use nothing else until their session has passed a second factor.

    Without an authenticator they are sent to enrol; with one but a session that never used it (they were
    given the role while logged in), they confirm with it first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and (user.is_superuser or scope_of(user).needs_multi_factor)
            and not session_used_second_factor(request)
        ):
            if Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists():
                return redirect(f"/accounts/2fa/reauthenticate/?next={request.get_full_path()}")
            messages.warning(
                request,
                _(
                    "Your role requires two-factor authentication. "
                    "Set up an authenticator app or a passkey to continue."
                ),
            )
            return redirect("mfa_index")
        return self.get_response(request)


class SessionActivityMiddleware:
    """allauth's user-session tracking, written at most every few minutes per session.

    allauth's own UserSessionsMiddleware writes a row on every request; this one records each logged-in session
    on its first request (so every session is indexed by its user and can be listed and ended) and refreshes
    "last seen" only after SESSION_ACTIVITY_INTERVAL_SECONDS. The session remembers its own key with the time,
    so a new key after login is tracked at once. https://docs.allauth.org/en/latest/usersessions/
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and session.session_key and user is not None and user.is_authenticated:
            seen = session.get(_SESSION_ACTIVITY_KEY) or {}
            now = int(time.time())
            if seen.get("key") != session.session_key or now - seen.get("at", 0) >= SESSION_ACTIVITY_INTERVAL_SECONDS:
                usersessionkit.track_activity(request, user=user, session=session)
                session[_SESSION_ACTIVITY_KEY] = {"key": session.session_key, "at": now}
        return self.get_response(request)
