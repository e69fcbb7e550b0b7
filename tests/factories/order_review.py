"""Sales orders as order review finds them: a submitted order of customer C at company A with priced lines, made
with the ORM (the checkout's own factories live in tests/factories/orders.py)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from catalog.models import Item
from portal.organisations.models import CustomerAccount
from selfservice.orders.models import OrderStatus, SalesOrder, SalesOrderLine
from tests.factories import PartnerFactory, UserFactory
from tests.factories.catalog import ItemFactory

_numbers = itertools.count(1)
CENT = Decimal("0.01")


def review_item(code: str | None = None, *, lead_time_days: int = 14) -> Item:
    item = ItemFactory(**({"code": code} if code else {}))
    Item.objects.filter(pk=item.pk).update(lead_time_days=lead_time_days, is_sellable=True)
    item.refresh_from_db()
    return item


def make_review_order(
    *,
    company,
    customer,
    lines: list[dict] | None = None,
    status: str = OrderStatus.SUBMITTED,
    placed_by=None,
    number: str | None = None,
    **values,
) -> SalesOrder:
    """An order with `lines` (dicts of item, quantity, unit_price, list_price, tax_rate, requested_date); one line
    of 10 × 100.00 at 13% by default. Totals are the lines' sums."""
    account = CustomerAccount.objects.filter(partner=customer, company=company).first()
    if account is None:
        account = CustomerAccount.objects.create(
            partner=customer, company=company, erp_number=f"K{next(_numbers):05d}", credit_limit=Decimal("500000")
        )
    now = timezone.now()
    order = SalesOrder.objects.create(
        number=number or f"SO-T{next(_numbers):06d}",
        company=company,
        customer=customer,
        customer_account=account,
        placed_by=placed_by,
        status=status,
        currency=company.currency,
        placed_at=now,
        submitted_at=now if status == OrderStatus.SUBMITTED else None,
        **values,
    )
    specs = lines if lines is not None else [{}]
    net_total = tax_total = Decimal("0.00")
    for position, spec in enumerate(specs, start=1):
        item = spec.get("item") or review_item()
        quantity = Decimal(str(spec.get("quantity", "10")))
        unit_price = Decimal(str(spec.get("unit_price", "100.00")))
        tax_rate = Decimal(str(spec.get("tax_rate", "13")))
        net = (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
        tax = (net * tax_rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        SalesOrderLine.objects.create(
            order=order,
            line_no=position * 10,
            item=item,
            description=item.name,
            unit_id=spec.get("unit_id", item.base_unit_id),
            quantity=quantity,
            unit_price=unit_price,
            list_price=spec.get("list_price", unit_price),
            tax_rate=tax_rate,
            net_amount=net,
            tax_amount=tax,
            gross_amount=net + tax,
            requested_date=spec.get("requested_date", date.today() + timedelta(days=30)),  # noqa: DTZ011
            **{key: spec[key] for key in ("status", "confirmed_quantity", "promised_date") if key in spec},
        )
        net_total += net
        tax_total += tax
    SalesOrder.objects.filter(pk=order.pk).update(
        net_total=net_total, tax_total=tax_total, gross_total=net_total + tax_total
    )
    order.refresh_from_db()
    return order


def order_of_customer_c(cast, **kwargs) -> SalesOrder:
    return make_review_order(
        company=cast.company_a, customer=cast.customer_c, placed_by=cast.customer_c_admin, **kwargs
    )


def other_customer(cast, *, company=None):
    """Customer D at company A (or `company`), with an administrator: another customer of the same company."""
    from tests.factories import MembershipFactory

    partner = PartnerFactory(name="丁客户有限公司", name_en="Customer D Ltd.", is_supplier=False, is_customer=True)
    CustomerAccount.objects.create(
        partner=partner, company=company or cast.company_a, erp_number="K-D0001", credit_limit=Decimal("100000")
    )
    admin = MembershipFactory(
        partner=partner, user=UserFactory(email="admin@customer-d.test"), roles=["admin", "sales"]
    ).user
    return partner, admin
