"""The outbox relay: claims due events, POSTs them as signed webhooks, records every attempt.

One round, `deliver_due()`:
1. Claim: in a short transaction, `SELECT … FOR UPDATE SKIP LOCKED` the due rows and lease them
   (`lease_until`), then commit. Parallel workers claim disjoint rows; a worker that dies leaves a lease that
   runs out, and the rows are claimed again (at-least-once: receivers deduplicate by event id).
   Per object, only the oldest unfinished event is claimable: an earlier event of the same object that is
   pending or dead holds the later ones back, so a receiver sees an object's events in order.
2. Deliver, outside any transaction, over one keep-alive HTTP session with (connect, read) timeouts.
3. Record: attempts in bulk, event states with a compare-and-set on the lease (a worker whose lease ran out
   and was re-claimed does not overwrite the newer claim's outcome).

Outcome per endpoint: 2xx succeeds; a network error, a timeout, 5xx, 408 or 429 is retried with exponential
backoff; any other status (a 4xx: the receiver refuses this event) makes the event dead at once.
Requests: https://requests.readthedocs.io/en/latest/user/advanced/#timeouts
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from .models import DeliveryAttempt, OutboxEvent, OutboxStatus, WebhookEndpoint
from .signing import signature_header

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY_SECONDS = 3600
# Up to this fraction of the delay is added at random, so events that failed together do not return together.
JITTER_FRACTION = 0.1
RETRYABLE_STATUS_CODES = frozenset({408, 429})
ERROR_TEXT_CHARS = 500
USER_AGENT = "GroupPortal-Webhooks/1"

_session: requests.Session | None = None


def http_session() -> requests.Session:
    """One session per process: connections to each receiver are kept alive between events and rounds."""
    global _session
    if _session is None:
        _session = requests.Session()
        _session.headers["User-Agent"] = USER_AGENT
    return _session


def retry_delay_seconds(attempts: int) -> float:
    """The wait after the `attempts`-th failed round: base, 2 × base, 4 × base … capped at an hour, plus jitter."""
    delay = min(settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY_SECONDS)
    return delay + delay * JITTER_FRACTION * random.random()  # noqa: S311 - spreading retries, not security


def event_body(event: OutboxEvent) -> bytes:
    """The JSON document POSTed for an event (the bytes that are signed)."""
    document = {
        "id": str(event.uuid),
        "topic": event.topic,
        "created_at": event.created_at.isoformat(),
        "company": event.company.code if event.company_id else None,
        "object": {"type": event.object_type, "id": event.object_id},
        "data": event.payload,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class _EventRound:
    """What happened to one claimed event in this round."""

    event: OutboxEvent
    endpoints: list[WebhookEndpoint]
    attempts: list[DeliveryAttempt] = field(default_factory=list)
    # endpoints not called this round (the endpoint failed earlier in the round, or the lease was running out)
    deferred: int = 0

    @property
    def refused(self) -> DeliveryAttempt | None:
        return next((a for a in self.attempts if not a.succeeded and not _is_retryable(a)), None)

    @property
    def failed(self) -> DeliveryAttempt | None:
        return next((a for a in self.attempts if not a.succeeded), None)


def _is_retryable(attempt: DeliveryAttempt) -> bool:
    code = attempt.status_code
    return code is None or code >= 500 or code in RETRYABLE_STATUS_CODES


def deliver_due(batch: int = 100, now: datetime | None = None, *, lease_seconds: float | None = None) -> int:
    """Claim up to `batch` due events, deliver them and record the outcome; returns how many were claimed."""
    claimed_at = now or timezone.now()
    lease_seconds = settings.OUTBOX_LEASE_SECONDS if lease_seconds is None else lease_seconds
    lease_until = claimed_at + timedelta(seconds=lease_seconds)
    events = _claim(batch=batch, now=claimed_at, lease_until=lease_until)
    if not events:
        return 0
    rounds = _plan(events)
    # Stop calling before the lease runs out (leaving room for one more call), so no other worker re-claims
    # rows this one is still delivering; what is left over goes back to the queue uncounted.
    timeouts = settings.OUTBOX_CONNECT_TIMEOUT + settings.OUTBOX_READ_TIMEOUT
    _deliver(rounds, deadline=time.monotonic() + max(lease_seconds / 2, lease_seconds - timeouts))
    _record(rounds, lease_until=lease_until, now=now)
    return len(events)


def _claim(*, batch: int, now: datetime, lease_until: datetime) -> list[OutboxEvent]:
    earlier_unfinished = OutboxEvent.objects.filter(
        object_type=OuterRef("object_type"),
        object_id=OuterRef("object_id"),
        id__lt=OuterRef("id"),
        status__in=[OutboxStatus.PENDING, OutboxStatus.DEAD],
    )
    with transaction.atomic():
        ids = list(
            OutboxEvent.objects.filter(status=OutboxStatus.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .filter(Q(object_id="") | ~Exists(earlier_unfinished))
            .order_by("id")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("id", flat=True)[:batch]
        )
        if not ids:
            return []
        OutboxEvent.objects.filter(id__in=ids).update(lease_until=lease_until)
    events = list(OutboxEvent.objects.filter(id__in=ids).select_related("company").order_by("id"))
    for event in events:
        event.lease_until = lease_until
    return events


def _plan(events: list[OutboxEvent]) -> list[_EventRound]:
    """Which endpoints to call per event: on the first delivery every endpoint subscribed now; afterwards only
    those of the first delivery that have not succeeded yet (and are still active)."""
    endpoints = {endpoint.pk: endpoint for endpoint in WebhookEndpoint.objects.all()}
    attempted: dict[int, set[int]] = defaultdict(set)
    succeeded: dict[int, set[int]] = defaultdict(set)
    for event_id, endpoint_id, success in DeliveryAttempt.objects.filter(
        event_id__in=[event.pk for event in events]
    ).values_list("event_id", "endpoint_id", "succeeded"):
        attempted[event_id].add(endpoint_id)
        if success:
            succeeded[event_id].add(endpoint_id)
    rounds = []
    for event in events:
        if event.pk in attempted:
            chosen = [
                endpoints[pk] for pk in sorted(attempted[event.pk] - succeeded[event.pk]) if endpoints[pk].is_active
            ]
        else:
            chosen = [
                endpoint
                for endpoint in endpoints.values()
                if endpoint.receives(topic=event.topic, company_id=event.company_id)
            ]
        rounds.append(_EventRound(event=event, endpoints=chosen))
    return rounds


def _deliver(rounds: list[_EventRound], *, deadline: float) -> None:
    session = http_session()
    timeout = (settings.OUTBOX_CONNECT_TIMEOUT, settings.OUTBOX_READ_TIMEOUT)
    secrets = {}
    unreachable: set[int] = set()
    calls = 0
    for event_round in rounds:
        if not event_round.endpoints:
            continue
        body = event_body(event_round.event)
        for endpoint in event_round.endpoints:
            if endpoint.pk in unreachable or (calls and time.monotonic() > deadline):
                event_round.deferred += 1
                continue
            if endpoint.pk not in secrets:
                secrets[endpoint.pk] = endpoint.secret
            attempt = _post(session, endpoint, secrets[endpoint.pk], event_round.event, body, timeout)
            calls += 1
            if attempt.status_code is None:
                # Unreachable or too slow: do not spend the rest of the round waiting on it again.
                unreachable.add(endpoint.pk)
            event_round.attempts.append(attempt)


def _post(session, endpoint, secret, event, body, timeout) -> DeliveryAttempt:
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "Portal-Event-Id": str(event.uuid),
        "Portal-Event-Topic": event.topic,
        "Portal-Timestamp": timestamp,
        "Portal-Signature": signature_header(secret, timestamp, body),
    }
    attempted_at = timezone.now()
    started = time.perf_counter()
    status_code, error = None, ""
    try:
        response = session.post(endpoint.url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}: {response.text[:ERROR_TEXT_CHARS]}"
    except requests.RequestException as exception:
        error = f"{type(exception).__name__}: {exception}"[:ERROR_TEXT_CHARS]
    return DeliveryAttempt(
        event=event,
        endpoint=endpoint,
        attempted_at=attempted_at,
        duration_ms=round((time.perf_counter() - started) * 1000),
        status_code=status_code,
        error=error,
        succeeded=status_code is not None and 200 <= status_code < 300,
    )


def _record(rounds: list[_EventRound], *, lease_until: datetime, now: datetime | None) -> None:
    recorded_at = now or timezone.now()
    delivered_ids, delivered_without_call_ids = [], []
    with transaction.atomic():
        DeliveryAttempt.objects.bulk_create([attempt for event_round in rounds for attempt in event_round.attempts])
        for event_round in rounds:
            event = event_round.event
            # compare-and-set: still ours (same lease) and still pending (an operator may have skipped it)
            ours = OutboxEvent.objects.filter(pk=event.pk, lease_until=lease_until, status=OutboxStatus.PENDING)
            refused, failed = event_round.refused, event_round.failed
            if refused is not None:
                ours.update(
                    status=OutboxStatus.DEAD,
                    attempts=F("attempts") + 1,
                    lease_until=None,
                    next_attempt_at=None,
                    last_error=refused.error,
                )
            elif failed is not None:
                attempts = event.attempts + 1
                if attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                    ours.update(
                        status=OutboxStatus.DEAD,
                        attempts=attempts,
                        lease_until=None,
                        next_attempt_at=None,
                        last_error=failed.error,
                    )
                else:
                    ours.update(
                        attempts=attempts,
                        lease_until=None,
                        next_attempt_at=recorded_at + timedelta(seconds=retry_delay_seconds(attempts)),
                        last_error=failed.error,
                    )
            elif event_round.deferred:
                # Not called this round through no fault of this event: back in the queue, no attempt counted.
                ours.update(
                    lease_until=None,
                    next_attempt_at=recorded_at + timedelta(seconds=settings.OUTBOX_RETRY_BASE_SECONDS),
                )
            elif event_round.attempts:
                delivered_ids.append(event.pk)
            else:
                # no endpoint subscribed (or none left to call): delivered, with no attempt
                delivered_without_call_ids.append(event.pk)
        for ids, attempts in ((delivered_ids, F("attempts") + 1), (delivered_without_call_ids, F("attempts"))):
            if ids:
                OutboxEvent.objects.filter(pk__in=ids, lease_until=lease_until, status=OutboxStatus.PENDING).update(
                    status=OutboxStatus.DELIVERED,
                    attempts=attempts,
                    delivered_at=recorded_at,
                    lease_until=None,
                    next_attempt_at=None,
                    last_error="",
                )
