"""The fast path for item batches answers and records exactly what item_upsert does object by object."""

import json

import pytest

from catalog.models import Item, ItemUnitConversion
from catalog.services import item_payload
from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from tests.api.conftest import plate, post_batch

pytestmark = pytest.mark.django_db

STEPS = [
    plate(source_version=1),  # created
    plate(source_version=1),  # unchanged resend
    plate(source_version=2, thickness="12", conversions={"pcs": "0.15", "kg": "0.001"}),  # changed
    plate(source_version=1, name="older"),  # stale
    plate(source_version=3, thickness="12", conversions={"pcs": "0.15", "kg": "0.001"}),  # newer version only
    plate(source_version=4, base_unit="kg", thickness="12", conversions={"pcs": "125"}),  # base unit changed
    plate(source_version=5, thickness="999"),  # invalid
]


def record_of(code):
    """What an item's history left behind, with its code and id taken out so two items compare."""
    item = Item.objects.get(code=code)
    history = {
        "item": item_payload(item),
        "row": Item.objects.filter(code=code).values("source_version", "attributes", "name").get(),
        "conversions": sorted(ItemUnitConversion.objects.filter(item=item).values_list("unit__code", "factor")),
        "audit": list(
            AuditEvent.objects.filter(object_id=str(item.uuid)).order_by("id").values("action", "before", "after")
        ),
        "events": list(OutboxEvent.objects.filter(object_id=str(item.uuid)).order_by("id").values("topic", "payload")),
    }
    text = json.dumps(history, default=str).replace(str(item.uuid), "<id>").replace(code, "<code>")
    return json.loads(text)


def test_a_batch_and_single_puts_leave_the_same_rows_audit_and_events(http, steel):
    fast_statuses, slow_statuses = [], []
    for step in STEPS:
        fast = post_batch(http.group, "items", [step | {"code": "FAST"}, step | {"code": "FAST-2"}]).json()
        fast_statuses.append(fast["results"][0]["status"])
        slow = http.group.put("/api/v1/items/SLOW", step | {"code": "SLOW"}, content_type="application/json")
        slow_statuses.append(slow.json().get("status") or slow.status_code)
    assert fast_statuses == ["applied", "applied", "applied", "stale", "applied", "applied", "invalid"]
    assert slow_statuses == ["applied", "applied", "applied", "stale", "applied", "applied", 422]
    assert record_of("FAST") == record_of("SLOW")
    assert record_of("FAST")["events"][-1]["payload"] == record_of("FAST")["item"] | {
        "changed": ["base_unit", "conversions"]
    }


def test_repeated_codes_in_a_batch_are_applied_in_order(http, steel):
    results = post_batch(http.group, "items", [plate(name="first"), plate(name="second")]).json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert Item.objects.get(code="PL-10").name == "second"
    assert list(OutboxEvent.objects.values_list("topic", flat=True).order_by("id")) == ["item.created", "item.changed"]
