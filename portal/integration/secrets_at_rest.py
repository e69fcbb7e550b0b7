"""Secrets the portal must read back (webhook signing secrets), encrypted at rest with Fernet.

The key is derived from MFA_SECRET_KEY, which lives outside the database (as for TOTP secrets in
portal.accounts.adapters), with a purpose label of its own so that the two uses never share a key.
https://cryptography.io/en/latest/fernet/
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ENCRYPTED_PREFIX = "fernet:"


def _fernet(purpose: str) -> Fernet:
    if not settings.MFA_SECRET_KEY:
        raise ImproperlyConfigured("MFA_SECRET_KEY must be set to store secrets encrypted.")
    key = hashlib.sha256(f"{purpose}:{settings.MFA_SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(text: str, *, purpose: str) -> str:
    return ENCRYPTED_PREFIX + _fernet(purpose).encrypt(text.encode()).decode()


def decrypt(stored: str, *, purpose: str) -> str:
    if not stored.startswith(ENCRYPTED_PREFIX):
        raise ImproperlyConfigured("A secret is stored unencrypted.")
    try:
        return _fernet(purpose).decrypt(stored.removeprefix(ENCRYPTED_PREFIX).encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured("A stored secret cannot be decrypted: was MFA_SECRET_KEY changed?") from error
