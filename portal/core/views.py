"""Health check and language switching."""

import logging
import time

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail.users.models import UserProfile

from portal import celery_app

logger = logging.getLogger(__name__)


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_broker() -> None:
    with celery_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=2)


def _check_storage() -> None:
    name = default_storage.save("healthz/probe.txt", ContentFile(b"ok"))
    default_storage.delete(name)


CHECKS = {"database": _check_database, "broker": _check_broker, "storage": _check_storage}


@never_cache
def healthz(request):
    """`{"status": "ok", "checks": {...}}`, or 503 naming what is down.

    No authentication, and no details leaked: the reason for a failure goes to the log only."""
    checks = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as error:  # noqa: BLE001  any failure means "down"; the reason goes to the log only
            logger.warning("health check %s failed: %s", name, error)
            checks[name] = {"status": "down"}
        else:
            checks[name] = {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}
    healthy = all(check["status"] == "ok" for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "down", "checks": checks}, status=200 if healthy else 503)


def back_office_login(request):
    """The back office has no login page of its own: allauth's applies (and with it MFA). A person who is
    logged in but has no staff role lands here from Wagtail; tell them plainly instead of looping."""
    if request.user.is_authenticated:
        return render(request, "403.html", status=403)
    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect("/accounts/login/" + (f"?{query}" if query else ""))


@require_POST
def set_language(request):
    """Switch the language; for a logged-in person it is also remembered in their profile."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        if request.user.is_authenticated:
            UserProfile.objects.update_or_create(user=request.user, defaults={"preferred_language": language})
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
        )
    return response
