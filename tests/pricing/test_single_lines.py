"""Single price list lines in the back office (/cms/prices/<uuid>/lines/): a sales manager of the list's company
adds, changes and removes one line; the other lines stay; everything is audited and reported to the ERP."""

from decimal import Decimal

import pytest
from django.test import Client

from catalog.pricing.models import PriceList, PriceListLine
from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from tests.conftest import login
from tests.factories import StaffRoleFactory, UserFactory
from tests.factories.catalog import steel_units
from tests.factories.shop import line, plate

pytestmark = pytest.mark.django_db


@pytest.fixture
def priced(cast):
    units = steel_units()
    price_list = PriceList.objects.create(company=cast.company_a, code="LIST", name="List", currency="CNY")
    first = plate("PL-1", units=units)
    second = plate("PL-2", units=units)
    line(price_list, first, "4000")
    line(price_list, second, "4100")
    manager = StaffRoleFactory(user=UserFactory(email="sm@sh01.test"), role="sales_manager", company=cast.company_a)
    return price_list, manager.user


def _lines(price_list):
    return sorted(
        (row.item.code, row.unit.code, row.min_quantity, row.unit_price)
        for row in PriceListLine.objects.filter(price_list=price_list).select_related("item", "unit")
    )


def _post(user, price_list, data):
    client = login(Client(HTTP_ACCEPT_LANGUAGE="en"), user)
    return client.post(f"/cms/prices/{price_list.uuid}/lines/", data)


def test_a_sales_manager_adds_changes_and_removes_one_line(cast, priced):
    price_list, manager = priced
    added = _post(manager, price_list, {"action": "set", "item": "PL-1", "min_quantity": "10", "unit_price": "3900",
                                         "tax_rate": "13"})  # fmt: skip
    assert added.status_code == 302
    assert _lines(price_list) == [
        ("PL-1", "t", Decimal("0.0000"), Decimal("4000.0000")),
        ("PL-1", "t", Decimal("10.0000"), Decimal("3900.0000")),
        ("PL-2", "t", Decimal("0.0000"), Decimal("4100.0000")),
    ]
    changed = _post(manager, price_list, {"action": "set", "item": "PL-2", "min_quantity": "0", "unit_price": "4150",
                                           "tax_rate": "13"})  # fmt: skip
    assert changed.status_code == 302
    assert ("PL-2", "t", Decimal("0.0000"), Decimal("4150.0000")) in _lines(price_list)
    assert len(_lines(price_list)) == 3
    removed_line = PriceListLine.objects.get(price_list=price_list, item__code="PL-1", min_quantity=10)
    assert _post(manager, price_list, {"action": "remove", "line": str(removed_line.pk)}).status_code == 302
    assert [row[:3] for row in _lines(price_list)] == [
        ("PL-1", "t", Decimal("0.0000")),
        ("PL-2", "t", Decimal("0.0000")),
    ]
    assert OutboxEvent.objects.filter(topic="price_list.changed").count() == 3
    assert AuditEvent.objects.filter(action__startswith="price_list").count() == 3


def test_bad_input_says_what_is_wrong_and_changes_nothing(cast, priced):
    price_list, manager = priced
    before = _lines(price_list)
    response = _post(manager, price_list, {"action": "set", "item": "NOPE", "unit_price": "-1", "tax_rate": "13",
                                            "min_quantity": "0"})  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 422
    assert "There is no item with the code “NOPE”." in page
    assert "Ensure this value is greater than or equal to 0." in page
    other = PriceList.objects.create(company=cast.company_a, code="OTHER", name="Other", currency="CNY")
    foreign = line(other, PriceListLine.objects.first().item, "1")
    assert _post(manager, price_list, {"action": "remove", "line": str(foreign.pk)}).status_code == 302
    assert PriceListLine.objects.filter(pk=foreign.pk).exists()
    assert _lines(price_list) == before
    assert not OutboxEvent.objects.filter(topic="price_list.changed").exists()


def test_only_sales_managers_of_the_company_change_lines(cast, priced):
    price_list, _manager = priced
    before = _lines(price_list)
    data = {"action": "set", "item": "PL-1", "min_quantity": "0", "unit_price": "1", "tax_rate": "13"}
    assert _post(cast.sales, price_list, data).status_code == 403  # sales, not sales manager
    assert _post(cast.staff_b, price_list, data).status_code == 404  # another company's staff
    anonymous = Client().post(f"/cms/prices/{price_list.uuid}/lines/", data)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert _lines(price_list) == before
