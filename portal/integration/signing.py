"""Webhook signatures: `Portal-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`.

The timestamp (`Portal-Timestamp`, Unix seconds) is signed with the body, so a receiver that refuses old
timestamps also refuses a captured request replayed later. Several `v1=` values separated by commas are
accepted (a sender may sign with an old and a new secret while a rotation is rolled out).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime

SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: str | int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" under the endpoint's secret."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: str | int, body: bytes) -> str:
    return f"{SIGNATURE_VERSION}={sign(secret, timestamp, body)}"


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    signature_header: str,
    *,
    now: float | datetime | None = None,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """True when one v1 signature in the header matches and the timestamp is within `tolerance` seconds of now."""
    timestamp = str(timestamp).strip()
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if now is None:
        current = time.time()
    elif isinstance(now, datetime):
        current = now.timestamp()
    else:
        current = float(now)
    if abs(current - sent_at) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    for part in (signature_header or "").split(","):
        version, _, value = part.strip().partition("=")
        if version == SIGNATURE_VERSION and hmac.compare_digest(value.strip(), expected):
            return True
    return False
