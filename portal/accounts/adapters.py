"""allauth adapters: https://docs.allauth.org/en/latest/account/advanced.html#custom-redirects
and https://docs.allauth.org/en/latest/mfa/adapter.html"""

import base64
import hashlib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ENCRYPTED_PREFIX = "fernet:"


def _fernet() -> Fernet:
    if not settings.MFA_SECRET_KEY:
        raise ImproperlyConfigured("MFA_SECRET_KEY must be set to store TOTP secrets.")
    key = hashlib.sha256(settings.MFA_SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Self-service sign-up is the partner registration flow (onboarding); plain sign-up stays open
        # for people invited to a partner, who then verify their e-mail address.
        return True


class MFAAdapter(DefaultMFAAdapter):
    """Encrypts TOTP secrets at rest with a key that is kept outside the database."""

    def encrypt(self, text: str) -> str:
        return ENCRYPTED_PREFIX + _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(ENCRYPTED_PREFIX):
            raise ImproperlyConfigured("A TOTP secret is stored unencrypted.")
        try:
            return _fernet().decrypt(encrypted_text.removeprefix(ENCRYPTED_PREFIX).encode()).decode()
        except InvalidToken as error:
            raise ImproperlyConfigured("MFA_SECRET_KEY does not decrypt the stored TOTP secrets.") from error
