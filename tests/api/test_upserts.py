"""Batch and single upserts: per-object results, idempotency, stale versions, field errors, partner events."""

import json

import pytest
from django.utils import timezone

from catalog.models import Item, ItemUnitConversion
from portal.api.idempotency import request_fingerprint
from portal.api.models import IDEMPOTENCY_RETENTION, IdempotencyRecord
from portal.audit.models import AuditEvent
from portal.erpsim.masterdata import accounts_with_numbers
from portal.integration.models import OutboxEvent
from portal.organisations.models import Partner, SupplierAccount
from portal.organisations.payloads import partner_payload
from tests.api.conftest import plate, post_batch

pytestmark = pytest.mark.django_db


def item_rows():
    return sorted(Item.objects.values_list("code", "name", "attributes", "source_version"))


def test_the_same_batch_twice_gives_one_set_of_rows_and_identical_answers(http, steel):
    objects = [plate("PL-10"), plate("PL-12", thickness="12")]
    first = post_batch(http.group, "items", objects)
    assert first.status_code == 200
    results = first.json()["results"]
    ids = [str(Item.objects.get(code=code).uuid) for code in ("PL-10", "PL-12")]
    assert results == [
        {"index": 0, "key": "PL-10", "status": "applied", "id": ids[0], "errors": []},
        {"index": 1, "key": "PL-12", "status": "applied", "id": ids[1], "errors": []},
    ]
    rows, events = item_rows(), OutboxEvent.objects.count()

    second = post_batch(http.group, "items", objects)
    assert second.content == first.content
    assert item_rows() == rows
    assert ItemUnitConversion.objects.count() == 2
    assert OutboxEvent.objects.count() == events == 2  # two item.created, nothing for the resend


def test_an_idempotency_key_replays_the_first_answer_even_after_the_data_changed(http, steel):
    first = post_batch(http.group, "items", [plate("PL-10")], **{"Idempotency-Key": "chunk-1"})
    Item.objects.filter(code="PL-10").update(name="changed in the back office")

    replay = post_batch(http.group, "items", [plate("PL-10")], **{"Idempotency-Key": "chunk-1"})
    assert (replay.status_code, replay.content) == (200, first.content)
    assert replay.headers["Idempotent-Replayed"] == "true"
    # replayed, not re-applied: the change made meanwhile stands
    assert Item.objects.get(code="PL-10").name == "changed in the back office"
    assert IdempotencyRecord.objects.get().status_code == 200


def test_the_same_key_with_another_body_is_422_and_changes_nothing(http, steel):
    post_batch(http.group, "items", [plate("PL-10")], **{"Idempotency-Key": "chunk-1"})
    rows, events = item_rows(), OutboxEvent.objects.count()
    response = post_batch(http.group, "items", [plate("PL-12")], **{"Idempotency-Key": "chunk-1"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "Idempotency-Key", "detail": "Use a new key for a different request."}
    ]
    assert (item_rows(), OutboxEvent.objects.count()) == (rows, events)


def test_a_duplicate_of_a_request_in_flight_is_409(http, steel, group_api):
    body = json.dumps({"objects": [plate("PL-10")]})
    request = type(
        "R", (), {"method": "POST", "body": body.encode(), "get_full_path": lambda self: "/api/v1/items/batch"}
    )()
    IdempotencyRecord.objects.create(client=group_api, key="k1", fingerprint=request_fingerprint(request))
    response = http.group.post(
        "/api/v1/items/batch", body, content_type="application/json", headers={"Idempotency-Key": "k1"}
    )
    assert response.status_code == 409
    assert response.json()["status"] == 409
    assert Item.objects.count() == 0


def test_records_older_than_a_day_are_purged_on_write(http, steel, group_api):
    old = IdempotencyRecord.objects.create(client=group_api, key="old", fingerprint="x", status_code=200)
    IdempotencyRecord.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - IDEMPOTENCY_RETENTION - timezone.timedelta(minutes=1)
    )
    post_batch(http.group, "items", [plate("PL-10")], **{"Idempotency-Key": "new"})
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_an_older_version_is_reported_stale_and_not_applied(http, steel):
    post_batch(http.group, "items", [plate("PL-10", source_version=5, name="v5")])
    item = Item.objects.get(code="PL-10")
    events = OutboxEvent.objects.count()

    response = post_batch(http.group, "items", [plate("PL-10", source_version=4, name="v4")])
    assert response.json()["results"] == [
        {"index": 0, "key": "PL-10", "status": "stale", "id": str(item.uuid), "errors": []}
    ]
    item.refresh_from_db()
    assert (item.name, item.source_version, OutboxEvent.objects.count()) == ("v5", 5, events)

    newer = post_batch(http.group, "items", [plate("PL-10", source_version=6, name="v6")])
    assert newer.json()["results"][0]["status"] == "applied"
    assert Item.objects.get(code="PL-10").name == "v6"


def test_an_older_updated_at_is_stale_too(http, steel):
    post_batch(http.group, "items", [plate("PL-10", name="new", updated_at="2026-11-02T10:00:00+08:00")])
    response = post_batch(http.group, "items", [plate("PL-10", name="old", updated_at="2026-11-01T10:00:00+08:00")])
    assert response.json()["results"][0]["status"] == "stale"
    assert Item.objects.get(code="PL-10").name == "new"


def test_one_bad_object_is_reported_with_its_field_and_the_others_are_applied(http, steel):
    objects = [plate("PL-10"), plate("PL-BAD", thickness="500"), plate("PL-12", thickness="12"), "not an object"]
    response = post_batch(http.group, "items", objects)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["key"], r["status"]) for r in results] == [
        ("PL-10", "applied"),
        ("PL-BAD", "invalid"),
        ("PL-12", "applied"),
        ("", "invalid"),
    ]
    assert results[1]["id"] is None
    assert results[1]["errors"] == [
        {"field": "objects[1].attributes.thickness", "detail": "Thickness must be at most 300 mm."}
    ]
    assert results[3]["errors"] == [{"field": "objects[3]", "detail": "Each object must be a JSON object."}]
    assert sorted(Item.objects.values_list("code", flat=True)) == ["PL-10", "PL-12"]


def test_an_attribute_error_names_the_field(http, steel):
    response = post_batch(http.group, "items", [plate("PL-10", thickness="thick")])
    [result] = response.json()["results"]
    assert result["status"] == "invalid"
    assert [error["field"] for error in result["errors"]] == ["objects[0].attributes.thickness"]
    assert Item.objects.count() == 0


def test_a_malformed_object_is_invalid_with_its_field(http, steel):
    response = post_batch(http.group, "items", [plate("PL-10", source_version="five"), {"name": "no code"}])
    results = response.json()["results"]
    assert results[0]["status"] == results[1]["status"] == "invalid"
    assert results[0]["errors"][0]["field"] == "objects[0].source_version"
    assert results[1]["errors"] == [{"field": "objects[1].code", "detail": "Required."}]


def test_a_single_put_answers_the_result_or_a_problem(http, steel):
    response = http.group.put("/api/v1/items/PL-10", plate("PL-10"), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "applied"
    invalid = http.group.put("/api/v1/items/PL-11", plate("PL-11", thickness="0"), content_type="application/json")
    assert invalid.status_code == 422
    assert invalid["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in invalid.json()["errors"]] == ["attributes.thickness"]
    renamed = http.group.put("/api/v1/items/PL-10", plate("PL-99"), content_type="application/json")
    assert (renamed.status_code, renamed.json()["errors"][0]["field"]) == (422, "code")
    assert list(Item.objects.values_list("code", flat=True)) == ["PL-10"]


def partner_object(cast, **extra):
    return {
        "tax_id": cast.supplier_a.tax_id,
        "name": cast.supplier_a.name,
        "supplier_accounts": [{"company": "SH01", "erp_number": "V-1001", "payment_terms": "60 days"}],
        "addresses": [{"code": "DOCK-1", "kind": "ship_to", "street": "1 Harbour Road", "city": "Shanghai"}],
        "invoicing": {"invoice_title": cast.supplier_a.name, "tax_id": cast.supplier_a.tax_id, "bank_name": "ICBC"},
    } | extra


def partner_events(partner):
    return list(OutboxEvent.objects.filter(topic="partner.changed", object_id=str(partner.uuid)).order_by("id"))


def test_a_partner_change_emits_one_event_and_an_identical_resend_none(http, cast):
    response = post_batch(http.a, "partners", [partner_object(cast)])
    assert response.json()["results"][0]["status"] == "applied"
    [event] = partner_events(cast.supplier_a)
    assert event.payload["changed"] == ["addresses", "invoicing", "supplier_accounts"]
    assert event.payload["supplier_accounts"][0]["erp_number"] == "V-1001"
    assert event.payload["invoicing"]["bank_name"] == "ICBC"
    assert AuditEvent.objects.filter(action="invoicing_details.created", actor_label="api:erp-sh01").count() == 1

    post_batch(http.a, "partners", [partner_object(cast)])
    assert len(partner_events(cast.supplier_a)) == 1

    post_batch(http.a, "partners", [partner_object(cast, name="甲供应商（集团）有限公司")])
    events = partner_events(cast.supplier_a)
    assert len(events) == 2
    assert events[1].payload["changed"] == ["name"]
    assert events[1].payload["name"] == "甲供应商（集团）有限公司"


def test_a_new_partner_gets_its_side_from_its_accounts(http, cast):
    new = {
        "tax_id": "91310000NEW000001X",
        "name": "新客户",
        "customer_accounts": [{"company": "SH01", "credit_limit": "5000.00"}],
    }
    response = post_batch(http.a, "partners", [new])
    assert response.json()["results"][0]["status"] == "applied"
    partner = Partner.objects.get(tax_id="91310000NEW000001X")
    assert (partner.is_supplier, partner.is_customer, partner.status) == (False, True, "pending")
    got = http.a.get("/api/v1/partners/91310000NEW000001X").json()
    assert got["customer_accounts"][0]["credit_limit"] == "5000.00"


def test_changing_a_units_factor_is_applied_and_audited(http):
    post_batch(http.group, "units", [{"code": "box", "name": "箱", "factor": "10"}])
    response = post_batch(http.group, "units", [{"code": "box", "name": "箱", "factor": "12"}])
    assert response.json()["results"][0]["status"] == "applied"
    changed = AuditEvent.objects.get(action="unit.changed")
    assert (changed.before, changed.after) == ({"factor": "10.0000000000"}, {"factor": "12"})


def test_a_request_abandoned_in_flight_is_answered_anew_after_ten_minutes(http, steel, group_api):
    body = json.dumps({"objects": [plate("PL-10")]})
    request = type(
        "R", (), {"method": "POST", "body": body.encode(), "get_full_path": lambda self: "/api/v1/items/batch"}
    )()
    record = IdempotencyRecord.objects.create(client=group_api, key="k1", fingerprint=request_fingerprint(request))
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - timezone.timedelta(minutes=11))
    response = http.group.post(
        "/api/v1/items/batch", body, content_type="application/json", headers={"Idempotency-Key": "k1"}
    )
    assert response.json()["results"][0]["status"] == "applied"
    assert IdempotencyRecord.objects.get().status_code == 200


def test_the_webhook_representation_of_a_partner_comes_back_unchanged(http, cast):
    """The ERP simulator answers partner.approved with the partner as partner_payload described it, plus the
    account numbers it assigned: only those numbers change, in one event."""
    SupplierAccount.objects.filter(partner=cast.supplier_a).update(erp_number="")
    sent = json.loads(json.dumps(partner_payload(cast.supplier_a), default=str))
    assert post_batch(http.group, "partners", [sent]).json()["results"][0]["status"] == "applied"
    assert partner_events(cast.supplier_a) == []

    update = accounts_with_numbers(sent)
    [result] = post_batch(http.group, "partners", [update]).json()["results"]
    assert result == {
        "index": 0,
        "key": cast.supplier_a.tax_id,
        "status": "applied",
        "id": str(cast.supplier_a.uuid),
        "errors": [],
    }
    [event] = partner_events(cast.supplier_a)
    assert event.payload["changed"] == ["supplier_accounts"]
    assert SupplierAccount.objects.get(partner=cast.supplier_a).erp_number.startswith("VSH01")
