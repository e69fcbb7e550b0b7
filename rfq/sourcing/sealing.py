"""Sealing of bids (开标前密封). Each (RFQ, round) has its own AES-256-GCM key, derived with HKDF-SHA256 from
settings.BID_SEALING_KEY — a secret kept outside the database and apart from SECRET_KEY — so a database dump alone
reveals no price. The associated data binds a ciphertext to its row (a sealed blob copied onto another bid does
not decrypt).

A submission's receipt is a commitment: SHA-256 over the canonical bid content followed by a random 32-byte nonce
that is sealed with the content. The digest proves later what was submitted; without the nonce nobody can test
guesses of a low-entropy price against it. At opening the portal decrypts, recomputes and compares.
https://cryptography.io/en/latest/hazmat/primitives/aead/ https://cryptography.io/en/latest/hazmat/primitives/key-derivation-functions/
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from decimal import Decimal
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FORMAT = b"\x01"  # the first byte of every sealed blob: the format version
NONCE_BYTES = 12
COMMITMENT_NONCE_BYTES = 32


class SealBroken(Exception):
    """A sealed blob does not decrypt with its key and row: tampered with, or sealed under another key."""


def _master_key() -> bytes:
    key = settings.BID_SEALING_KEY
    if not key:
        raise ImproperlyConfigured("BID_SEALING_KEY is not set: bids cannot be sealed or opened.")
    return key.encode() if isinstance(key, str) else key


def round_key(rfq_uuid: Any, round_number: int) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"portal-bid-sealing-v1",
        info=f"rfq:{rfq_uuid}:round:{round_number}".encode(),
    ).derive(_master_key())


def seal(key: bytes, plaintext: bytes, *, context: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT + nonce + AESGCM(key).encrypt(nonce, plaintext, context.encode())


def unseal(key: bytes, blob: bytes, *, context: str) -> bytes:
    blob = bytes(blob)
    if not blob or blob[:1] != FORMAT:
        raise SealBroken("unknown format")
    nonce, ciphertext = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, context.encode())
    except InvalidTag as error:
        raise SealBroken("the seal does not open") from error


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        # one spelling per value: 12.50 and 12.5 commit alike
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def canonical(content: dict[str, Any]) -> bytes:
    """The bid content as bytes that do not depend on key order, whitespace or how a decimal was typed."""
    return json.dumps(_plain(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def new_commitment_nonce() -> str:
    return os.urandom(COMMITMENT_NONCE_BYTES).hex()


def commitment(canonical_content: bytes, nonce_hex: str) -> str:
    return hashlib.sha256(canonical_content + b"\x00" + bytes.fromhex(nonce_hex)).hexdigest()


def commitment_matches(canonical_content: bytes, nonce_hex: str, expected: str) -> bool:
    return hmac.compare_digest(commitment(canonical_content, nonce_hex), expected)


def seal_json(key: bytes, data: dict[str, Any], *, context: str) -> bytes:
    return seal(key, json.dumps(data, sort_keys=True, ensure_ascii=False).encode(), context=context)


def unseal_json(key: bytes, blob: bytes, *, context: str) -> dict[str, Any]:
    return json.loads(unseal(key, blob, context=context))
