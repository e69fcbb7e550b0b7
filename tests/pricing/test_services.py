"""price_list_upsert / customer_group_upsert: create, replace lines, newer wins, resend changes nothing,
errors keyed by field, the kind and its target agree, another company's group or customer refused."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from catalog.pricing.models import CustomerGroup, PriceList, PriceListKind
from catalog.pricing.services import customer_group_upsert, price_list_upsert
from portal.audit.models import AuditEvent
from portal.integration.models import OutboxEvent
from tests.factories import PartnerFactory
from tests.factories.catalog import ItemFactory, UnitFactory

pytestmark = pytest.mark.django_db


def line(item, price, **fields):
    return {"item": item, "unit_price": Decimal(price), **fields}


def upsert(cast, code="LIST", values=None, lines=None, actor=None, company=None, **kwargs):
    values = {"name": "List prices", "currency": "CNY"} if values is None else values
    return price_list_upsert(
        actor=actor or cast.api_a, company=company or cast.company_a, code=code, values=values, lines=lines, **kwargs
    )


def messages(error):
    with translation.override("en"):
        return {name: [str(message) for message in texts] for name, texts in error.value.message_dict.items()}


def test_create_with_lines_audits_and_emits(cast):
    item = ItemFactory(code="STEEL-1")
    applied = upsert(cast, lines=[line(item, "12.5"), line(item, "11", min_quantity=Decimal("100"))])

    assert applied.created
    price_list = PriceList.objects.get(company=cast.company_a, code="LIST")
    assert price_list.kind == PriceListKind.LIST
    assert [
        (str(row.min_quantity), str(row.unit_price), row.unit_id) for row in price_list.lines.order_by("min_quantity")
    ] == [
        ("0.0000", "12.5000", item.base_unit_id),
        ("100.0000", "11.0000", item.base_unit_id),
    ]
    event = OutboxEvent.objects.get(topic="price_list.created")
    assert event.company == cast.company_a
    assert event.payload["code"] == "LIST"
    assert event.payload["lines"][0] == {
        "item": "STEEL-1",
        "unit": item.base_unit.code,
        "min_quantity": "0",
        "unit_price": "12.5",
        "tax_rate": "13",
        "valid_from": None,
        "valid_until": None,
    }
    audit = AuditEvent.objects.get(action="price_list.created")
    assert audit.after["code"] == "LIST"


def test_changing_lines_replaces_them_as_a_whole(cast):
    first, second = ItemFactory(code="A-1"), ItemFactory(code="B-2")
    upsert(cast, lines=[line(first, "10"), line(second, "20")])

    applied = upsert(cast, lines=[line(second, "19.5")])

    assert not applied.created and set(applied.changes) == {"lines"}
    price_list = PriceList.objects.get(code="LIST")
    assert [(row.item.code, row.unit_price) for row in price_list.lines.all()] == [("B-2", Decimal("19.5000"))]
    event = OutboxEvent.objects.get(topic="price_list.changed")
    assert event.payload["changed"] == ["lines"]
    assert [row["unit_price"] for row in event.payload["lines"]] == ["19.5"]
    audit = AuditEvent.objects.get(action="price_list.changed")
    unit = first.base_unit.code
    assert audit.before == {"lines": [f"A-1 {unit} ≥0: 10 (13%)", f"B-2 {second.base_unit.code} ≥0: 20 (13%)"]}
    assert audit.after == {"lines": [f"B-2 {second.base_unit.code} ≥0: 19.5 (13%)"]}


def test_lines_left_out_are_kept(cast):
    item = ItemFactory()
    upsert(cast, lines=[line(item, "10")])

    applied = upsert(cast, values={"name": "Renamed"})

    assert set(applied.changes) == {"name"}
    assert PriceList.objects.get(code="LIST").lines.count() == 1


def test_resend_changes_nothing(cast):
    item = ItemFactory()
    upsert(cast, lines=[line(item, "10", min_quantity=Decimal("5"))], source_version=3)

    applied = upsert(cast, lines=[line(item, "10.0000", min_quantity=Decimal("5.0"))], source_version=3)

    assert not applied.changed and not applied.stale
    assert OutboxEvent.objects.filter(topic__startswith="price_list.").count() == 1
    assert AuditEvent.objects.filter(action__startswith="price_list.").count() == 1


def test_stale_update_changes_nothing_lines_included(cast):
    item = ItemFactory()
    upsert(cast, lines=[line(item, "10")], source_version=5)

    applied = upsert(cast, values={"name": "Old", "currency": "CNY"}, lines=[], source_version=4)

    assert applied.stale
    price_list = PriceList.objects.get(code="LIST")
    assert price_list.name == "List prices" and price_list.lines.count() == 1
    assert price_list.source_version == 5
    assert not OutboxEvent.objects.filter(topic="price_list.changed").exists()


def test_line_errors_name_the_line_and_field(cast):
    item = ItemFactory()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        upsert(
            cast,
            lines=[
                line(item, "10"),
                line(item, "11", min_quantity=Decimal("10")),
                line(item, "-1", min_quantity=Decimal("20")),
                line(item, "9", valid_from=date(2026, 5, 1), valid_until=date(2026, 4, 1), min_quantity=Decimal("30")),
                line(item, "12"),
                {"unit_price": Decimal("1")},
            ],
        )

    assert messages(error) == {
        "lines[2].unit_price": ["Ensure this value is greater than or equal to 0."],
        "lines[3].valid_until": ["The end of validity cannot come before its start."],
        "lines[4]": ["The same item, unit, quantity and start of validity as line 0."],
        "lines[5].item": ["Required."],
    }
    assert not PriceList.objects.exists()


def test_line_unit_must_be_one_the_item_is_sold_in(cast):
    item = ItemFactory(code="PIPE")
    box = UnitFactory(code="BOX")
    with translation.override("en"), pytest.raises(ValidationError) as error:
        upsert(cast, lines=[line(item, "10", unit=box)])

    assert messages(error) == {"lines[0].unit": ["The item PIPE is not sold in BOX."]}


def test_kind_and_target_must_agree(cast):
    group = customer_group_upsert(actor=cast.api_a, company=cast.company_a, code="DIST", values={"name": "D"}).obj
    with translation.override("en"), pytest.raises(ValidationError) as error:
        upsert(cast, values={"name": "G", "currency": "CNY", "kind": PriceListKind.GROUP})
    assert messages(error) == {"customer_group": ["A customer group price list needs its customer group."]}

    with translation.override("en"), pytest.raises(ValidationError) as error:
        upsert(cast, values={"name": "L", "currency": "CNY", "kind": PriceListKind.LIST, "customer_group": group})
    assert messages(error) == {"customer_group": ["Only a customer group price list names a customer group."]}

    with translation.override("en"), pytest.raises(ValidationError) as error:
        upsert(cast, values={"name": "C", "currency": "CNY", "kind": PriceListKind.CUSTOMER})
    assert messages(error) == {"customer": ["A customer price list needs its customer."]}

    upsert(cast, code="C", values={"name": "C", "currency": "CNY", "kind": "customer", "customer": cast.customer_c})
    # Turning it into a list price list drops its customer.
    upsert(cast, code="C", values={"kind": PriceListKind.LIST})
    assert PriceList.objects.get(code="C").customer_id is None
    assert not PriceList.objects.filter(code__in=["LIST"]).exists()


def test_another_companys_group_or_customer_is_refused(cast):
    other_group = CustomerGroup.objects.create(company=cast.company_b, code="DIST", name="Wuhan distributors")
    stranger = PartnerFactory(is_customer=True)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        upsert(cast, values={"name": "G", "currency": "CNY", "kind": "group", "customer_group": other_group})
    assert messages(error) == {"customer_group": ["The customer group belongs to another company."]}

    with translation.override("en"), pytest.raises(ValidationError) as error:
        upsert(cast, values={"name": "C", "currency": "CNY", "kind": "customer", "customer": stranger})
    assert messages(error) == {"customer": ["This partner is not a customer of SH01."]}
    assert not PriceList.objects.exists()


def test_another_companys_client_may_not_write(cast):
    with pytest.raises(PermissionDenied):
        upsert(cast, actor=cast.api_b)
    with pytest.raises(PermissionDenied):
        customer_group_upsert(actor=cast.api_b, company=cast.company_a, code="X", values={"name": "X"})
    assert not PriceList.objects.exists() and not CustomerGroup.objects.exists()


def test_customer_group_members_replaced_and_checked(cast):
    applied = customer_group_upsert(
        actor=cast.api_a, company=cast.company_a, code="DIST", values={"name": "经销商"}, members=[cast.customer_c]
    )
    assert applied.created
    group = applied.obj
    assert list(group.members.values_list("partner_id", flat=True)) == [cast.customer_c.pk]
    assert OutboxEvent.objects.get(topic="customer_group.created").payload["members"] == [str(cast.customer_c.uuid)]

    again = customer_group_upsert(
        actor=cast.api_a, company=cast.company_a, code="DIST", values={"name": "经销商"}, members=[cast.customer_c]
    )
    assert not again.changed

    stranger = PartnerFactory(is_customer=True)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        customer_group_upsert(
            actor=cast.api_a, company=cast.company_a, code="DIST", values={}, members=[cast.customer_c, stranger]
        )
    assert messages(error) == {"members[1]": ["This partner is not a customer of SH01."]}

    emptied = customer_group_upsert(actor=cast.api_a, company=cast.company_a, code="DIST", values={}, members=[])
    assert emptied.changes["members"] == ([str(cast.customer_c.uuid)], [])
    assert not group.members.exists()
