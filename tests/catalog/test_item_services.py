"""The item master's one way in: validation against the category schema, newer-wins, audit and events."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from catalog.models import Item
from catalog.services import item_upsert
from catalog.units import convert
from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from tests.factories.catalog import steel_plate_category, steel_units

pytestmark = pytest.mark.django_db


@pytest.fixture
def plate_setup():
    return steel_plate_category(), steel_units()


def plate_values(category, units, **attributes):
    return {
        "name": "热轧钢板 Q235B 10mm",
        "name_en": "Hot-rolled plate Q235B 10 mm",
        "category": category,
        "base_unit": units["t"],
        "attributes": {"grade": "Q235B", "thickness": "10", "width": 1500} | attributes,
    }


def test_create_change_and_resend(plate_setup, cast):
    category, units = plate_setup
    applied = item_upsert(actor=cast.buyer, code="P-1", values=plate_values(category, units), source_version=3)
    assert applied.created and applied.obj.attributes == {"grade": "Q235B", "thickness": "10", "width": 1500}
    assert list(OutboxEvent.objects.filter(object_id=str(applied.obj.uuid)).values_list("topic", flat=True)) == [
        "item.created"
    ]

    again = item_upsert(actor=cast.buyer, code="P-1", values=plate_values(category, units), source_version=3)
    assert not again.changed and not again.stale
    assert OutboxEvent.objects.filter(object_id=str(applied.obj.uuid)).count() == 1

    changed = item_upsert(
        actor=cast.buyer, code="P-1", values=plate_values(category, units, thickness="12.50"), source_version=4
    )
    assert changed.changes == {
        "attributes": (
            {"grade": "Q235B", "thickness": "10", "width": 1500},
            {"grade": "Q235B", "thickness": "12.5", "width": 1500},
        )
    }
    event = OutboxEvent.objects.filter(object_id=str(applied.obj.uuid)).last()
    assert (event.topic, event.payload["changed"], event.payload["attributes"]["thickness"]) == (
        "item.changed",
        ["attributes"],
        "12.5",
    )
    assert AuditEvent.objects.filter(object_id=str(applied.obj.uuid)).count() == 2


def test_stale_update_is_ignored(plate_setup, cast):
    category, units = plate_setup
    item_upsert(actor=None, code="P-2", values=plate_values(category, units), source_version=5)
    stale = item_upsert(actor=None, code="P-2", values=plate_values(category, units, grade="Q345B"), source_version=4)
    assert stale.stale and not stale.changed
    assert Item.objects.get(code="P-2").attributes["grade"] == "Q235B"
    assert Item.objects.get(code="P-2").source_version == 5
    later = datetime(2026, 11, 1, tzinfo=UTC)
    item_upsert(actor=None, code="P-3", values=plate_values(category, units), source_updated_at=later)
    older = item_upsert(
        actor=None,
        code="P-3",
        values=plate_values(category, units, grade="Q345B"),
        source_updated_at=datetime(2026, 10, 1, tzinfo=UTC),
    )
    assert older.stale and Item.objects.get(code="P-3").attributes["grade"] == "Q235B"


@pytest.mark.parametrize(
    ("attributes", "field", "message"),
    [
        ({"thickness": "thick"}, "attributes.thickness", "Thickness must be a number, not thick."),
        ({"thickness": "0"}, "attributes.thickness", "Thickness must be at least 0.1 mm."),
        ({"grade": "S355"}, "attributes.grade", "Grade must be one of Q235B, Q345B, Q355B, not S355."),
        ({"width": "1500.5"}, "attributes.width", "Width must be a whole number."),
        (
            {"colour": "blue"},
            "attributes.colour",
            "colour is not an attribute of this category (known: grade, thickness, width, standard).",
        ),
        ({"grade": None}, "attributes.grade", "Grade is required."),
    ],
)
def test_bad_attribute_is_a_clear_error_and_nothing_is_saved(plate_setup, attributes, field, message):
    category, units = plate_setup
    with translation.override("en"), pytest.raises(ValidationError) as error:
        item_upsert(actor=None, code="P-4", values=plate_values(category, units, **attributes))
    assert error.value.message_dict == {field: [message]}
    assert not Item.objects.filter(code="P-4").exists()
    assert not OutboxEvent.objects.filter(topic__startswith="item.").exists()


def test_conversions(plate_setup):
    category, units = plate_setup
    item = item_upsert(
        actor=None, code="P-5", values=plate_values(category, units), conversions={units["pcs"]: Decimal("0.125")}
    ).obj
    assert convert(item, Decimal("2"), units["t"], units["kg"]) == Decimal("2000")
    assert convert(item, Decimal("8"), units["pcs"], units["t"]) == Decimal("1.000")
    assert convert(item, Decimal("250"), units["kg"], units["pcs"]) == Decimal("2")
