"""`emit()`: the one way to tell the ERP that something happened."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from portal.celery import app as celery_app

from .models import OutboxEvent

DELIVER_TASK = "portal.integration.tasks.deliver_outbox"


def _wake_relay() -> None:
    # Only a nudge: beat runs the relay every 10 s anyway, so a broker that is down loses nothing (no retry).
    celery_app.send_task(DELIVER_TASK, retry=False, ignore_result=True)


def emit(topic: str, payload: dict[str, Any], *, company: Any = None, obj: models.Model | None = None) -> OutboxEvent:
    """Write an outbox event in the caller's transaction (it commits or rolls back with the change).

    The payload is made JSON-safe here (Decimals as strings, datetimes in ISO 8601, UUIDs as text).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() must run inside the transaction of the change it reports.")
    safe_payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    event = OutboxEvent.objects.create(
        topic=topic,
        company=company,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(getattr(obj, "uuid", None) or obj.pk) if obj is not None else "",
        payload=safe_payload,
    )
    if settings.OUTBOX_WAKE_ON_COMMIT:
        connection = transaction.get_connection()
        # once per transaction, however many events it emits; robust: a broker error never fails the commit
        if not any(callback is _wake_relay for _savepoints, callback, _robust in connection.run_on_commit):
            transaction.on_commit(_wake_relay, robust=True)
    return event
