"""The demo item master loads through the services and is idempotent."""

import pytest

from catalog.demo import ITEMS, load_catalog_demo
from catalog.models import Category, Item, ItemUnitConversion, UnitOfMeasure
from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent

pytestmark = pytest.mark.django_db


def test_demo_catalog_is_realistic_and_idempotent():
    load_catalog_demo()
    first = (
        Item.objects.count(),
        Category.objects.count(),
        UnitOfMeasure.objects.count(),
        ItemUnitConversion.objects.count(),
        AuditEvent.objects.count(),
        OutboxEvent.objects.count(),
    )
    assert first[:3] == (len(ITEMS), 9, 5) and len(ITEMS) == 30
    load_catalog_demo()
    assert (
        Item.objects.count(),
        Category.objects.count(),
        UnitOfMeasure.objects.count(),
        ItemUnitConversion.objects.count(),
        AuditEvent.objects.count(),
        OutboxEvent.objects.count(),
    ) == first
    bolt = Item.objects.get(code="BLT-M12x50-8.8-ZN")
    assert (bolt.name, bolt.category.parent.code) == ("六角头螺栓 M12×50 8.8级 镀锌", "FASTENER")
    assert bolt.attributes == {
        "size": "M12",
        "grade": "8.8",
        "length": 50,
        "surface": "镀锌",
        "standard": "GB/T 5782-2016",
    }
    assert all(item.name and item.name_en for item in Item.objects.all())
