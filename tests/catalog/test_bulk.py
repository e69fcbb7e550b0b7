"""item_upsert_many decides, writes, audits and reports each change as item_upsert does, in a number of queries
that does not grow with the number of items; repeated codes and database conflicts go object by object."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

import catalog.bulk
from catalog.bulk import ItemChange, item_upsert_many
from catalog.models import Item, ItemUnitConversion
from catalog.services import item_payload, item_upsert
from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from tests.factories import UserFactory
from tests.factories.catalog import steel_plate_category, steel_units

pytestmark = pytest.mark.django_db


@pytest.fixture
def master():
    category, units = steel_plate_category(), steel_units()
    return category, units, UserFactory(email="steward@group.test")


def steps(category, units):
    """(values, conversions, source_version, source_updated_at) in the order an item receives them."""
    plate = {"name": "钢板", "category": category, "base_unit": units["t"]}
    plate["attributes"] = {"grade": "Q235B", "thickness": "10"}
    thick = plate | {"attributes": {"grade": "Q235B", "thickness": "12"}}
    early, late = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
    return [
        (plate, {units["pcs"]: Decimal("0.125")}, 1, early),  # created
        (plate, {units["pcs"]: Decimal("0.125")}, 1, early),  # unchanged resend
        (thick, {units["pcs"]: Decimal("0.15"), units["kg"]: Decimal("0.001")}, 2, late),  # changed
        (plate | {"name": "older"}, None, 1, None),  # stale
        (thick, {units["pcs"]: Decimal("0.150"), units["kg"]: Decimal("0.001")}, 3, None),  # newer version only
        (thick | {"base_unit": units["kg"]}, {units["pcs"]: Decimal("125")}, 4, None),  # base unit changed
        ({"status": "blocked"}, None, 5, None),  # one field, attributes left as they are
        ({"attributes": {"grade": "Q235B", "thickness": "999"}}, None, 6, None),  # invalid attribute
        ({"status": "obsolete"}, {units["kg"]: Decimal("1")}, 6, None),  # invalid: the base unit needs no conversion
        ({"name": "x" * 201}, None, 6, None),  # invalid: too long
        ({"category": None}, None, 6, None),  # not for the bulk path: item_upsert decides
    ]


def record_of(code):
    """What an item's history left behind, with its code and id taken out so two items compare."""
    item = Item.objects.get(code=code)
    history = {
        "item": item_payload(item),
        "row": Item.objects.filter(code=code)
        .values("source_version", "source_updated_at", "attributes", "name", "status")
        .get(),
        "conversions": sorted(ItemUnitConversion.objects.filter(item=item).values_list("unit__code", "factor")),
        "audit": list(
            AuditEvent.objects.filter(object_id=str(item.uuid))
            .order_by("id")
            .values("action", "actor", "actor_label", "object_type", "object_label", "before", "after", "ip_address")
        ),
        "events": list(
            OutboxEvent.objects.filter(object_id=str(item.uuid))
            .order_by("id")
            .values("topic", "object_type", "company", "payload")
        ),
    }
    text = json.dumps(history, default=str).replace(str(item.uuid), "<id>").replace(code, "<code>")
    return json.loads(text)


def slow(actor, change, request):
    """item_upsert as the single-object callers use it: (status, created, changes, error keys)."""
    try:
        with transaction.atomic():
            applied = item_upsert(
                actor=actor,
                code=change.code,
                values=change.values,
                conversions=change.conversions,
                source_version=change.source_version,
                source_updated_at=change.source_updated_at,
                request=request,
            )
    except ValidationError as error:
        return ("invalid", False, {}, error.message_dict)
    except IntegrityError:
        return ("invalid", False, {}, "integrity")
    return ("stale" if applied.stale else "applied", applied.created, applied.changes, {})


def summary(outcome):
    errors = outcome.message_dict
    if list(errors) == ["__all__"]:  # the conflict item_upsert raised, as a message
        errors = "integrity"
    return (outcome.status, outcome.created, outcome.changes, errors)


@pytest.mark.parametrize("who", ["user", "system"])
def test_many_and_one_by_one_leave_the_same_rows_audit_and_events(master, who):
    category, units, user = master
    actor = user if who == "user" else None
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.7")
    for values, conversions, version, updated_at in steps(category, units):

        def change(code, values=values, conversions=conversions, version=version, updated_at=updated_at):
            return ItemChange(code, dict(values), conversions, version, updated_at)

        fast = item_upsert_many(actor=actor, changes=[change("FAST"), change("FAST-2")], request=request)
        expected = slow(actor, change("SLOW"), request)
        assert summary(fast[0]) == expected, values
        assert summary(fast[1]) == expected, values
    assert record_of("FAST") == record_of("SLOW") == record_of("FAST-2")
    record = record_of("FAST")
    assert [a["action"] for a in record["audit"]] == ["item.created"] + ["item.changed"] * 3
    assert {a["actor_label"] for a in record["audit"]} == {"steward@group.test" if actor else "system"}
    assert record["audit"][0]["ip_address"] == "192.0.2.7"
    assert record["events"][-1]["payload"] == record["item"] | {"changed": ["status"]}


def test_an_invalid_change_is_reported_and_the_others_are_applied(master):
    category, units, user = master
    good = {"name": "钢板", "category": category, "base_unit": units["t"]}
    good["attributes"] = {"grade": "Q235B", "thickness": "8"}
    outcomes = item_upsert_many(
        actor=user,
        changes=[
            ItemChange("A-1", good),
            ItemChange("A-2", good | {"attributes": {"grade": "S355", "thickness": "8"}}),
            ItemChange("A-3", {"name": "无类别", "base_unit": units["t"]}),
            ItemChange("A-4", good, {units["pcs"]: Decimal("0")}),
        ],
    )
    assert [o.status for o in outcomes] == ["applied", "invalid", "invalid", "invalid"]
    assert sorted(outcomes[1].message_dict) == ["attributes.grade"]
    assert sorted(outcomes[2].message_dict) == ["category"]
    assert sorted(outcomes[3].message_dict) == ["conversions.pcs"]
    assert (outcomes[0].created, outcomes[0].item.code) == (True, "A-1")
    assert list(Item.objects.values_list("code", flat=True)) == ["A-1"]
    assert AuditEvent.objects.count() == OutboxEvent.objects.count() == 1


def test_repeated_codes_are_applied_in_order(master):
    category, units, user = master
    plate = {"name": "first", "category": category, "base_unit": units["t"]}
    plate["attributes"] = {"grade": "Q235B", "thickness": "8"}
    outcomes = item_upsert_many(
        actor=user, changes=[ItemChange("R-1", plate), ItemChange("R-1", plate | {"name": "second"})]
    )
    assert [(o.status, o.created, sorted(o.changes)) for o in outcomes] == [
        ("applied", True, []),
        ("applied", False, ["name"]),
    ]
    assert Item.objects.get(code="R-1").name == "second"
    assert list(OutboxEvent.objects.values_list("topic", flat=True).order_by("id")) == ["item.created", "item.changed"]


def test_a_conflict_in_the_bulk_write_falls_back_to_one_by_one(master, monkeypatch):
    category, units, user = master
    plate = {"name": "钢板", "category": category, "base_unit": units["t"]}
    plate["attributes"] = {"grade": "Q235B", "thickness": "8"}
    written = []

    def conflicting_write(self, plans):
        written.append(len(plans))
        Item.objects.bulk_create([plan.item for plan in plans if plan.created])
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(catalog.bulk._Batch, "_write", conflicting_write)
    outcomes = item_upsert_many(
        actor=user,
        changes=[ItemChange("C-1", plate), ItemChange("C-2", plate | {"attributes": {"grade": "nope"}})],
    )
    assert written == [1]
    assert [o.status for o in outcomes] == ["applied", "invalid"]
    assert outcomes[0].created and outcomes[0].item.pk is not None
    assert list(Item.objects.values_list("code", flat=True)) == ["C-1"]
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["item.created"]


def test_queries_do_not_grow_with_the_number_of_items(master):
    category, units, user = master

    def run(prefix, count, thickness):
        changes = [
            ItemChange(
                f"{prefix}-{n}",
                {
                    "name": f"钢板 {n}",
                    "category": category,
                    "base_unit": units["t"],
                    "attributes": {"grade": "Q235B", "thickness": thickness},
                },
                {units["pcs"]: Decimal(thickness)},
            )
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            outcomes = item_upsert_many(actor=user, changes=changes)
        assert {o.status for o in outcomes} == {"applied"}
        return len(queries)

    assert run("S", 5, "8") == run("L", 300, "8")  # creating
    assert run("S", 5, "9") == run("L", 300, "9") <= 15  # changing attributes and conversions
    assert Item.objects.get(code="L-299").attributes == {"grade": "Q235B", "thickness": "9"}
