"""RFC 6238 codes computed in the tests (allauth refuses its bypass code when DEBUG is off)."""

import base64
import hashlib
import hmac
import struct
import time


def totp_code(secret: str, at: float | None = None, period: int = 30, digits: int = 6) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def fresh_totp_code(secret: str, *, margin: float = 8.0, period: int = 30) -> str:
    """A code that stays valid for at least `margin` seconds: waits for the next period when the current one is
    about to end (allauth accepts only the current period's code, and a browser needs a moment to submit it)."""
    left = period - time.time() % period
    if left < margin:
        time.sleep(left + 0.05)
    return totp_code(secret, period=period)


def test_rfc6238_reference_vector():
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits)
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp_code(secret, at=59, digits=8) == "94287082"
