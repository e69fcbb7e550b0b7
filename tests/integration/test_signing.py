"""Webhook signatures: what the relay signs, a receiver verifies; anything altered, or old, is refused."""

import hashlib
import hmac

from portal.integration.signing import sign, signature_header, verify_signature

SECRET = "whsec-test"
BODY = b'{"id":"e1","topic":"partner.status_changed","data":{"status":"approved"}}'
NOW = 1_800_000_000


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, str(NOW), BODY) == expected
    assert signature_header(SECRET, NOW, BODY) == f"v1={expected}"


def test_a_genuine_request_verifies():
    assert verify_signature(SECRET, str(NOW), BODY, signature_header(SECRET, NOW, BODY), now=NOW + 5) is True


def test_a_tampered_body_a_wrong_secret_or_a_changed_timestamp_is_refused():
    header = signature_header(SECRET, NOW, BODY)
    assert verify_signature(SECRET, str(NOW), BODY.replace(b"approved", b"blocked"), header, now=NOW) is False
    assert verify_signature("another-secret", str(NOW), BODY, header, now=NOW) is False
    assert verify_signature(SECRET, str(NOW + 1), BODY, header, now=NOW) is False


def test_an_old_or_future_timestamp_is_refused_even_with_a_valid_signature():
    header = signature_header(SECRET, NOW, BODY)
    assert verify_signature(SECRET, str(NOW), BODY, header, now=NOW + 300) is True
    assert verify_signature(SECRET, str(NOW), BODY, header, now=NOW + 301) is False
    assert verify_signature(SECRET, str(NOW), BODY, header, now=NOW - 301) is False
    assert verify_signature(SECRET, str(NOW), BODY, header, now=NOW + 3600, tolerance=3600) is True


def test_malformed_headers_are_refused_and_several_signatures_are_accepted():
    good = signature_header(SECRET, NOW, BODY)
    assert verify_signature(SECRET, "not-a-number", BODY, good, now=NOW) is False
    assert verify_signature(SECRET, str(NOW), BODY, "", now=NOW) is False
    assert verify_signature(SECRET, str(NOW), BODY, good.replace("v1=", "v0="), now=NOW) is False
    # during a rotation a sender may sign with the old and the new secret
    rotated = f"{signature_header('old-secret', NOW, BODY)}, {good}"
    assert verify_signature(SECRET, str(NOW), BODY, rotated, now=NOW) is True
