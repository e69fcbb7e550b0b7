"""`emit()`: the one way to tell the ERP that something happened."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from .models import OutboxEvent


def emit(topic: str, payload: dict[str, Any], *, company: Any = None, obj: models.Model | None = None) -> OutboxEvent:
    """Write an outbox event in the caller's transaction (it commits or rolls back with the change).

    The payload is made JSON-safe here (Decimals as strings, datetimes in ISO 8601, UUIDs as text).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() must run inside the transaction of the change it reports.")
    safe_payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    return OutboxEvent.objects.create(
        topic=topic,
        company=company,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(getattr(obj, "uuid", None) or obj.pk) if obj is not None else "",
        payload=safe_payload,
    )
