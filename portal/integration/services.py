"""Operator actions on the outbox and the webhook endpoints. Group administrators only; each is audited in
the transaction of its change. Secrets never reach the audit log."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.organisations.access import scope_of
from portal.organisations.models import Company

from .models import OutboxEvent, OutboxStatus, WebhookEndpoint

# Operator transitions of an event: action → (states it may start from, state it leaves the event in).
# (The relay's own transitions, pending → delivered / dead, are in relay.py.)
OPERATOR_TRANSITIONS = {
    "replay": ({OutboxStatus.DEAD, OutboxStatus.SKIPPED}, OutboxStatus.PENDING),
    "skip": ({OutboxStatus.DEAD, OutboxStatus.PENDING}, OutboxStatus.SKIPPED),
}
SECRET_BYTES = 32


def may_operate_outbox(actor: Any) -> bool:
    return scope_of(actor).is_group_admin


def _require_group_admin(actor: Any) -> None:
    if not scope_of(actor).is_group_admin:
        raise PermissionDenied


def _transition(*, event: OutboxEvent, actor: Any, action: str, request: Any, **changes: Any) -> OutboxEvent:
    _require_group_admin(actor)
    allowed, new_status = OPERATOR_TRANSITIONS[action]
    with transaction.atomic():
        before = OutboxEvent.objects.filter(pk=event.pk).values_list("status", flat=True).first()
        updated = OutboxEvent.objects.filter(pk=event.pk, status__in=allowed).update(status=new_status, **changes)
        if updated != 1:
            raise DomainError(
                _("An event that is %(current)s cannot be changed this way.")
                % {"current": OutboxStatus(before).label if before else "?"}
            )
        audit_record(
            actor=actor,
            action=f"outbox.{action}",
            obj=event,
            company=event.company,
            before={"status": before},
            after={"status": new_status, "topic": event.topic},
            request=request,
        )
    event.refresh_from_db()
    return event


def event_replay(*, event: OutboxEvent, actor: Any, request: Any = None) -> OutboxEvent:
    """Send a dead or skipped event again, with a fresh count of attempts (only to endpoints still owed it)."""
    return _transition(
        event=event,
        actor=actor,
        action="replay",
        request=request,
        attempts=0,
        next_attempt_at=timezone.now(),
        lease_until=None,
        last_error="",
    )


def event_skip(*, event: OutboxEvent, actor: Any, request: Any = None) -> OutboxEvent:
    """Give up on a dead or pending event: it is not delivered, and later events of its object flow again."""
    return _transition(event=event, actor=actor, action="skip", request=request, lease_until=None)


def events_replay_dead(*, actor: Any, company: Company | None = None, request: Any = None) -> int:
    """Replay every dead event (of one company, or of the whole group); returns how many."""
    _require_group_admin(actor)
    with transaction.atomic():
        dead = OutboxEvent.objects.filter(status=OutboxStatus.DEAD)
        if company is not None:
            dead = dead.filter(company=company)
        count = dead.update(
            status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), lease_until=None, last_error=""
        )
        audit_record(
            actor=actor,
            action="outbox.replay_dead",
            obj=company,
            company=company,
            after={"count": count, "company": company.code if company else None},
            request=request,
        )
    return count


def _new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def _endpoint_facts(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "name": endpoint.name,
        "url": endpoint.url,
        "topics": list(endpoint.topics),
        "company": endpoint.company.code if endpoint.company_id else None,
        "is_active": endpoint.is_active,
    }


def webhook_endpoint_create(
    *, actor: Any, name: str, url: str, topics: list[str], company: Company | None, request: Any = None
) -> tuple[WebhookEndpoint, str]:
    """Register a receiver; returns it with its signing secret, which is shown this once."""
    _require_group_admin(actor)
    secret = _new_secret()
    endpoint = WebhookEndpoint(name=name, url=url, topics=topics, company=company)
    endpoint.set_secret(secret)
    with transaction.atomic():
        endpoint.save()
        audit_record(
            actor=actor,
            action="webhook_endpoint.created",
            obj=endpoint,
            company=company,
            after=_endpoint_facts(endpoint),
            request=request,
        )
    return endpoint, secret


def webhook_endpoint_update(
    *,
    actor: Any,
    endpoint: WebhookEndpoint,
    name: str,
    url: str,
    topics: list[str],
    company: Company | None,
    is_active: bool,
    request: Any = None,
) -> WebhookEndpoint:
    """Change a receiver's address, subscriptions or state (the secret stays)."""
    _require_group_admin(actor)
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update(of=("self",)).select_related("company").get(pk=endpoint.pk)
        before = _endpoint_facts(locked)
        locked.name, locked.url, locked.topics, locked.company, locked.is_active = (
            name,
            url,
            topics,
            company,
            is_active,
        )
        locked.save(update_fields=["name", "url", "topics", "company", "is_active"])
        after = _endpoint_facts(locked)
        if after != before:
            audit_record(
                actor=actor,
                action="webhook_endpoint.changed",
                obj=locked,
                company=locked.company,
                before=before,
                after=after,
                request=request,
            )
    return locked


def webhook_endpoint_deactivate(*, actor: Any, endpoint: WebhookEndpoint, request: Any = None) -> WebhookEndpoint:
    """Stop calling a receiver (events it is still owed are delivered to the others)."""
    _require_group_admin(actor)
    with transaction.atomic():
        updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(is_active=False)
        if updated == 1:
            audit_record(
                actor=actor,
                action="webhook_endpoint.deactivated",
                obj=endpoint,
                company=endpoint.company,
                request=request,
            )
    endpoint.refresh_from_db()
    return endpoint


def webhook_endpoint_rotate_secret(
    *, actor: Any, endpoint: WebhookEndpoint, request: Any = None
) -> tuple[WebhookEndpoint, str]:
    """A new signing secret, effective at once; returned to be shown this once."""
    _require_group_admin(actor)
    secret = _new_secret()
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.set_secret(secret)
        locked.secret_rotated_at = timezone.now()
        locked.save(update_fields=["secret_encrypted", "secret_rotated_at"])
        audit_record(
            actor=actor,
            action="webhook_endpoint.secret_rotated",
            obj=locked,
            company=endpoint.company,
            request=request,
        )
    return locked, secret
