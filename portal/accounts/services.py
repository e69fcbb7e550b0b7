"""Changes a person makes to their own account."""

from typing import Any

from allauth.usersessions.adapter import get_adapter as get_usersessions_adapter
from allauth.usersessions.models import UserSession
from django.contrib.auth import get_user_model
from django.db import transaction
from wagtail.users.models import UserProfile

from portal.audit.services import audit_record


def user_update_preferences(
    *,
    user: Any,
    first_name: str,
    last_name: str,
    phone: str,
    language: str,
    time_zone: str,
    request: Any = None,
) -> Any:
    """Name, phone, language and time zone; language and zone live in Wagtail's UserProfile (one store)."""
    with transaction.atomic():
        get_user_model().objects.filter(pk=user.pk).update(first_name=first_name, last_name=last_name, phone=phone)
        profile, _created = UserProfile.objects.get_or_create(user=user)
        before = {"language": profile.preferred_language, "time_zone": profile.current_time_zone}
        profile.preferred_language = language
        profile.current_time_zone = time_zone
        profile.save(update_fields=["preferred_language", "current_time_zone"])
        audit_record(
            actor=user,
            action="user.preferences_changed",
            obj=user,
            before=before,
            after={"language": language, "time_zone": time_zone},
            request=request,
        )
    user.first_name, user.last_name, user.phone = first_name, last_name, phone
    return user


def user_end_sessions(*, user: Any) -> int:
    """Log the person out everywhere, at once (an MFA reset, a deactivated membership).

    allauth's user sessions index every logged-in session by its user (SessionActivityMiddleware records each on
    its first request, allauth on login); ending one deletes the session from the store, cache included."""
    sessions = list(UserSession.objects.filter(user_id=user.pk))
    get_usersessions_adapter().end_sessions(sessions)
    return len(sessions)


def user_end_other_sessions(*, user: Any, request: Any) -> int:
    """Sign the person out on every device but this one (a forgotten login on a shared computer)."""
    current = request.session.session_key
    sessions = list(UserSession.objects.filter(user_id=user.pk).exclude(session_key=current))
    get_usersessions_adapter().end_sessions(sessions)
    if sessions:
        audit_record(
            actor=user,
            action="user.other_sessions_ended",
            obj=user,
            after={"sessions": len(sessions)},
            request=request,
        )
    return len(sessions)
