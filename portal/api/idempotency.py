"""`Idempotency-Key` on writes: the first answer is stored and replayed to the same client's retries.

The record is claimed (inserted) in its own short transaction before the work starts, so a concurrent duplicate
finds it in flight (409) instead of applying the request twice; the same key with another request is a 422. A
failed request (a 5xx or an exception) releases its key so the client can retry, and a record left in flight
by a killed worker is taken over after ten minutes. Records live 24 hours and are
purged on write (no beat task needed: every keyed request deletes the expired ones through an index).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IDEMPOTENCY_RETENTION, ApiClient, IdempotencyRecord
from .problems import problem_response

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
REPLAY_HEADER = "Idempotent-Replayed"
# Longer than any request may run (a batch of 1000 takes seconds): a record in flight for longer was abandoned.
ABANDONED_AFTER = timedelta(minutes=10)


def request_fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b"\n")
    digest.update(request.get_full_path().encode() + b"\n")
    digest.update(request.body)
    return digest.hexdigest()


def purge_expired_records() -> int:
    deleted, _per_model = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - IDEMPOTENCY_RETENTION
    ).delete()
    return deleted


def run_idempotent(request: HttpRequest, client: ApiClient, answer: Callable[[], HttpResponse]) -> HttpResponse:
    """`answer()` once per (client, Idempotency-Key); without the header simply `answer()`."""
    key = request.headers.get(HEADER)
    if not key:
        return answer()
    if len(key) > MAX_KEY_LENGTH:
        return problem_response(
            422,
            _("The Idempotency-Key header is too long."),
            [{"field": HEADER, "detail": _("Use at most %(n)s characters.") % {"n": MAX_KEY_LENGTH}}],
        )
    fingerprint = request_fingerprint(request)
    purge_expired_records()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(client=client, key=key, fingerprint=fingerprint)
    except IntegrityError:
        record = _take_over_abandoned(client, key, fingerprint)
        if record is None:
            return _answer_repeat(client, key, fingerprint)

    try:
        response = answer()
    except BaseException:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        raise
    if response.status_code >= 500:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return response
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        status_code=response.status_code,
        content_type=response.get("Content-Type", ""),
        response_body=response.content.decode(),
    )
    return response


def _take_over_abandoned(client: ApiClient, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """A same request whose first attempt died in flight (its worker killed) long ago is answered anew."""
    now = timezone.now()
    claimed = IdempotencyRecord.objects.filter(
        client=client,
        key=key,
        fingerprint=fingerprint,
        status_code__isnull=True,
        created_at__lt=now - ABANDONED_AFTER,
    ).update(created_at=now)
    return IdempotencyRecord.objects.filter(client=client, key=key).first() if claimed == 1 else None


def _answer_repeat(client: ApiClient, key: str, fingerprint: str) -> HttpResponse:
    record = IdempotencyRecord.objects.filter(client=client, key=key).first()
    if record is None:  # released by a failed first attempt between our insert and this read
        return problem_response(409, _("A request with this Idempotency-Key just failed; retry it."))
    if record.fingerprint != fingerprint:
        return problem_response(
            422,
            _("This Idempotency-Key was used for another request."),
            [{"field": HEADER, "detail": _("Use a new key for a different request.")}],
        )
    if record.is_in_flight:
        return problem_response(409, _("A request with this Idempotency-Key is still being processed."))
    response = HttpResponse(record.response_body, status=record.status_code, content_type=record.content_type)
    response[REPLAY_HEADER] = "true"
    return response
