"""Writing audit events. Call inside the service's transaction so the event commits with the change."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEvent


def client_ip(request: Any) -> str | None:
    if request is None:
        return None
    # Behind the reverse proxy the first X-Forwarded-For hop is the client (see docs/deploy.md).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return (forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR")) or None


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    partner: Any = None,
    company: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    request: Any = None,
) -> AuditEvent:
    """Record one audited action. Never pass secrets or sealed prices in before/after."""
    is_user = getattr(actor, "is_authenticated", False) and not getattr(actor, "is_api_client", False)
    if actor is None:
        label = "system"
    elif getattr(actor, "is_api_client", False):
        label = f"api:{actor.name}"
    else:
        label = getattr(actor, "email", "") or str(actor)
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_label=label,
        partner=partner,
        company=company,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(getattr(obj, "uuid", None) or getattr(obj, "pk", "")) if obj is not None else "",
        object_label=str(obj)[:255] if obj is not None else "",
        before=before or {},
        after=after or {},
        ip_address=client_ip(request),
    )
