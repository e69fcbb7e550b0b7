"""Changes a person makes to their own account."""

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
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
    """Log the person out everywhere (after an MFA reset: a lost phone may be a stolen one).

    Sessions are not indexed by user, so the unexpired ones are read; this is a rare administrative action."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            store(session_key=session.session_key).delete()  # also drops a cached copy (cached_db)
            ended += 1
    return ended
