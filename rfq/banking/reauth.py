"""A bank-details change needs a second factor used within the last few minutes (allauth's re-authentication
window), not just a session that once passed it. https://docs.allauth.org/en/latest/mfa/configuration.html
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.urls import reverse

SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def second_factor_recently_used(request) -> bool:
    """The session passed a second factor (at login or on allauth's MFA re-authentication page) within
    ACCOUNT_REAUTHENTICATION_TIMEOUT seconds. A password alone never counts."""
    if not request.user.is_authenticated:
        return False
    now = time.time()
    return any(
        record.get("method") == "mfa" and now - record.get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT
        for record in get_authentication_records(request, request.user)
    )


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


def reauthenticate_url(next_path: str) -> str:
    return f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_path})}"
