"""The audit chain (DESIGN.md §5): events are inserted freely; this module chains them afterwards.

Each sealed event carries `seal = HMAC-SHA256(AUDIT_HMAC_KEY, previous seal + canonical form of the row)`.
The key lives outside the database, so whoever can only write to the database cannot recompute seals after
changing, inserting or deleting an event; and the chain head is published daily through the outbox to the
ERP, so cutting the tail off is visible against that copy.

Concurrency. Only one sealer works at a time: it locks the `AuditChainHead` row (`SELECT … FOR UPDATE SKIP
LOCKED` on PostgreSQL; on SQLite a write transaction is already exclusive). A second sealer finds the row
locked and returns at once.

Safety lag. Ids are handed out when a row is inserted, but the row becomes visible when its transaction
commits, so a younger id can be visible while an older one is not yet. The sealer therefore only takes rows
created more than `AUDIT_SEAL_LAG_SECONDS` (default 5) ago, which in practice means every older transaction
has committed. A transaction that stays open longer than the lag is not lost: its row is appended at the tail
on a later run with the next `chain_position`, and the verifier walks the chain in that order.

Secrets never enter the chain: audit rows hold no secrets (see `audit_record`), and the key is only a setting.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from portal.integration.models import OutboxEvent
from portal.integration.outbox import emit

from .models import AuditChainHead, AuditEvent

CHAIN_HEAD_TOPIC = "audit.chain_head"
DEFAULT_SEAL_LAG_SECONDS = 5

# Only these columns are read to seal or verify, so a wide `before`/`after` is the only large value.
CANONICAL_FIELDS = (
    "id",
    "uuid",
    "created_at",
    "actor_id",
    "actor_label",
    "partner_id",
    "company_id",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "before",
    "after",
    "ip_address",
)


def canonical_form(event: AuditEvent) -> bytes:
    """The row's meaningful fields as deterministic JSON (sorted keys, no spaces, UTC time, UTF-8)."""
    created_at = event.created_at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    values = {
        "id": event.id,
        "uuid": str(event.uuid),
        "created_at": created_at,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "partner_id": event.partner_id,
        "company_id": event.company_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_label": event.object_label,
        "before": event.before,
        "after": event.after,
        "ip_address": event.ip_address,
    }
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _key() -> bytes:
    key = getattr(settings, "AUDIT_HMAC_KEY", "")
    if not key:
        raise ImproperlyConfigured("AUDIT_HMAC_KEY is not set: the audit chain cannot be sealed or verified.")
    return key.encode("utf-8")


def compute_seal(previous_seal: str, event: AuditEvent, *, key: bytes | None = None) -> str:
    """HMAC-SHA256 over the previous seal (64 hex digits, or empty for the first event) and the row."""
    message = previous_seal.encode("ascii") + canonical_form(event)
    return hmac.new(key or _key(), message, hashlib.sha256).hexdigest()


def _seal_lag() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "AUDIT_SEAL_LAG_SECONDS", DEFAULT_SEAL_LAG_SECONDS))


def _ensure_head() -> None:
    AuditChainHead.objects.get_or_create(pk=AuditChainHead.SINGLETON_ID)


def seal_pending(batch: int = 500) -> int:
    """Seal up to `batch` unsealed events, oldest id first; returns how many were sealed (0 if another
    sealer holds the chain)."""
    key = _key()
    _ensure_head()
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update(skip_locked=True).filter(pk=AuditChainHead.SINGLETON_ID).first()
        if head is None:
            return 0  # another sealer is extending the chain right now
        cutoff = timezone.now() - _seal_lag()
        events = list(
            AuditEvent.objects.filter(chain_position__isnull=True, created_at__lte=cutoff)
            .only(*CANONICAL_FIELDS, "seal", "chain_position")
            .order_by("id")[:batch]
        )
        if not events:
            return 0
        previous_seal, position = head.seal, head.count
        for event in events:
            position += 1
            event.seal = compute_seal(previous_seal, event, key=key)
            event.chain_position = position
            previous_seal = event.seal
        AuditEvent.objects.bulk_update(events, ["seal", "chain_position"])
        AuditChainHead.objects.filter(pk=head.pk).update(
            last_event_id=events[-1].id, seal=previous_seal, count=position, updated_at=timezone.now()
        )
    return len(events)


def audit_head_publish() -> OutboxEvent | None:
    """Publish the chain head through the outbox; does nothing when this head was already published."""
    _ensure_head()
    with transaction.atomic():
        # Locked so that the head read is not half-way through a sealer's batch.
        head = AuditChainHead.objects.select_for_update().get(pk=AuditChainHead.SINGLETON_ID)
        payload = {"last_id": head.last_event_id, "seal": head.seal, "count": head.count}
        last_published = (
            OutboxEvent.objects.filter(topic=CHAIN_HEAD_TOPIC).order_by("-id").values_list("payload", flat=True)
        ).first()
        if head.count == 0 or last_published == payload:
            return None
        return emit(CHAIN_HEAD_TOPIC, payload)


@dataclass(frozen=True)
class BrokenLink:
    event_id: int | None
    uuid: str
    action: str
    created_at: datetime.datetime | None
    reason: str


@dataclass
class ChainReport:
    sealed: int = 0
    unsealed: int = 0
    first_unsealed_id: int | None = None
    broken: BrokenLink | None = None
    heads_checked: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def is_intact(self) -> bool:
        return self.broken is None


def _broken(event: AuditEvent | None, reason: str) -> BrokenLink:
    if event is None:
        return BrokenLink(event_id=None, uuid="", action="", created_at=None, reason=reason)
    return BrokenLink(
        event_id=event.id,
        uuid=str(event.uuid),
        action=event.action,
        created_at=event.created_at,
        reason=reason,
    )


def verify_chain(*, expected_heads: Iterable[dict] = (), chunk_size: int = 2000) -> ChainReport:
    """Recompute every seal in chain order and stop at the first link that does not hold.

    Every chain head published through the outbox, and each of `expected_heads` (heads kept outside the
    database, e.g. as the ERP received them), must still be a link of the chain with the same seal.
    """
    key = _key()
    report = ChainReport()
    previous_seal = ""
    expected_position = 1
    sealed_events: Iterable[AuditEvent] = (
        AuditEvent.objects.exclude(chain_position__isnull=True, seal="")
        .only(*CANONICAL_FIELDS, "seal", "chain_position")
        .order_by("chain_position", "id")
        .iterator(chunk_size=chunk_size)
    )
    previous_id: int | None = None
    for event in sealed_events:
        if event.chain_position is None or not event.seal:
            report.broken = _broken(event, "half sealed: it has a seal or a chain position but not both")
            return report
        if event.chain_position != expected_position:
            report.broken = _broken(
                event,
                f"chain position {event.chain_position} where {expected_position} was expected: "
                f"{event.chain_position - expected_position} event(s) before it are missing",
            )
            return report
        if not hmac.compare_digest(event.seal, compute_seal(previous_seal, event, key=key)):
            report.broken = _broken(event, "its seal does not match its content or the event before it")
            return report
        if previous_id is not None and event.id < previous_id:
            report.notes.append(f"event {event.id} was sealed after younger events (its transaction was long)")
        previous_id = event.id
        previous_seal = event.seal
        expected_position += 1
        report.sealed += 1

    published = OutboxEvent.objects.filter(topic=CHAIN_HEAD_TOPIC).order_by("id").values_list("payload", flat=True)
    _check_heads(report, [*published, *expected_heads])
    if report.broken is not None:
        return report

    unsealed = AuditEvent.objects.filter(chain_position__isnull=True, seal="")
    report.unsealed = unsealed.count()
    report.first_unsealed_id = unsealed.order_by("id").values_list("id", flat=True).first()
    return report


def _check_heads(report: ChainReport, heads: list) -> None:
    positions = {head.get("count") for head in heads if isinstance(head, dict)}
    events = {
        event.chain_position: event
        for event in AuditEvent.objects.filter(chain_position__in=positions).only(
            "id", "uuid", "action", "created_at", "seal", "chain_position"
        )
    }
    for head in heads:
        report.heads_checked += 1
        event = events.get(head.get("count")) if isinstance(head, dict) else None
        if event is None or event.id != head.get("last_id") or event.seal != head.get("seal"):
            described = (
                f"count={head.get('count')} last_id={head.get('last_id')} seal={head.get('seal')}"
                if isinstance(head, dict)
                else repr(head)
            )
            report.broken = _broken(
                event,
                f"the published chain head {described} is no longer part of the chain "
                "(events were removed or resealed)",
            )
            return
