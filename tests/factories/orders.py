"""Shop and order test data shared by the cart, payments and order-review tests (keep these signatures stable).

- `sellable_item(**fields)`: an active, sellable item (base unit pcs unless said otherwise).
- `price_item(company, item, price, ...)`: a price line for the item in the company's list price list (or in the
  customer's own price list when `customer` is given); returns the PriceListLine.
- `customer_account(company, partner=None, credit_limit=..., ...)`: an active CustomerAccount of an approved
  customer (a new customer partner unless given).
- `customer_with_prices(company, prices, ...)`: a customer account plus list prices for {item: price}; returns a
  SimpleNamespace(account, partner, company, items, lines).
- `ship_to_address(partner, ...)`, `invoicing_details(partner, ...)`: the customer's records checkout uses.
- `SalesOrderFactory`, `SalesOrderLineFactory`: orders and lines as stored; `make_order(account, lines=...)`
  builds an order with lines and consistent totals (the way checkout computes them).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from itertools import count
from types import SimpleNamespace
from typing import Any

import factory
from django.utils import timezone

from catalog.models import ItemStatus
from catalog.pricing.models import PriceList, PriceListKind, PriceListLine
from portal.organisations.models import AddressKind, CustomerAccount, InvoicingDetails, PartnerAddress, PartnerStatus
from selfservice.orders.models import (
    CreditStatus,
    OrderStatus,
    PaymentMode,
    PaymentStatus,
    SalesOrder,
    SalesOrderLine,
)
from tests.factories import CompanyFactory, CustomerAccountFactory, PartnerFactory
from tests.factories.catalog import ItemFactory

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
_numbers = count(1)


def sellable_item(**fields: Any):
    """An active, sellable item; pass sales_unit, min_order_quantity, order_multiple, base_unit as needed."""
    fields.setdefault("is_sellable", True)
    fields.setdefault("status", ItemStatus.ACTIVE)
    return ItemFactory(**fields)


def list_price_list(company: Any, *, customer: Any = None, currency: str | None = None) -> PriceList:
    """The company's list price list "LIST" (or the customer's own one "C-<partner id>"), created once."""
    if customer is None:
        code, kind, defaults = "LIST", PriceListKind.LIST, {}
    else:
        code, kind, defaults = f"C-{customer.pk}", PriceListKind.CUSTOMER, {"customer": customer}
    price_list, _ = PriceList.objects.get_or_create(
        company=company,
        code=code,
        defaults={"name": code, "kind": kind, "currency": currency or company.currency, **defaults},
    )
    return price_list


def price_item(
    company: Any,
    item: Any,
    price: Any,
    *,
    customer: Any = None,
    unit: Any = None,
    min_quantity: Any = 0,
    tax_rate: Any = "13.00",
    valid_from: Any = None,
    valid_until: Any = None,
) -> PriceListLine:
    """A net unit price for the item at the company (per `unit`, default the item's sales unit or base unit)."""
    return PriceListLine.objects.create(
        price_list=list_price_list(company, customer=customer),
        item=item,
        unit_id=getattr(unit, "pk", unit) or item.sales_unit_or_base_id,
        min_quantity=Decimal(str(min_quantity)),
        unit_price=Decimal(str(price)),
        tax_rate=Decimal(str(tax_rate)),
        valid_from=valid_from,
        valid_until=valid_until,
    )


def customer_account(
    company: Any = None,
    partner: Any = None,
    *,
    credit_limit: Any = "500000.00",
    payment_terms: str = "30 days net",
    **fields: Any,
) -> CustomerAccount:
    """The active CustomerAccount of `partner` (a new approved customer unless given) at `company` (new unless
    given); an existing account of that pair is updated with the given limit and terms."""
    company = company or CompanyFactory()
    partner = partner or PartnerFactory(is_supplier=False, is_customer=True, status=PartnerStatus.APPROVED)
    account = CustomerAccount.objects.filter(partner=partner, company=company).first()
    if account is None:
        return CustomerAccountFactory(
            partner=partner,
            company=company,
            credit_limit=Decimal(str(credit_limit)),
            payment_terms=payment_terms,
            **fields,
        )
    account.credit_limit = Decimal(str(credit_limit))
    account.payment_terms = payment_terms
    for name, value in fields.items():
        setattr(account, name, value)
    account.save()
    return account


def customer_with_prices(
    company: Any = None, prices: dict | None = None, *, partner: Any = None, **account_fields: Any
) -> SimpleNamespace:
    """A customer account at `company` and list prices {item: net unit price}; with no prices, two new sellable
    items at 100.00 and 250.50."""
    account = customer_account(company, partner, **account_fields)
    if prices is None:
        prices = {sellable_item(): "100.00", sellable_item(): "250.50"}
    lines = [price_item(account.company, item, price) for item, price in prices.items()]
    return SimpleNamespace(
        account=account, partner=account.partner, company=account.company, items=list(prices), lines=lines
    )


def ship_to_address(partner: Any, *, company: Any = None, is_default: bool = True, **fields: Any) -> PartnerAddress:
    number = next(_numbers)
    defaults = {
        "code": f"ST{number:04d}",
        "kind": AddressKind.SHIP_TO,
        "name": f"收货点 {number}",
        "contact_name": "王工",
        "phone": "021-5555 0000",
        "province": "上海市",
        "city": "上海市",
        "district": "宝山区",
        "street": f"富锦路 {number} 号",
        "postal_code": "201900",
    }
    defaults.update(fields)
    return PartnerAddress.objects.create(partner=partner, company=company, is_default=is_default, **defaults)


def invoicing_details(partner: Any, **fields: Any) -> InvoicingDetails:
    defaults = {
        "invoice_title": str(partner.name),
        "tax_id": partner.tax_id,
        "registered_address": "上海市浦东新区世纪大道 100 号",
        "phone": "021-6666 8888",
        "bank_name": "中国工商银行上海分行",
        "bank_account": "1001 2345 6789 0000",
    }
    defaults.update(fields)
    return InvoicingDetails.objects.create(partner=partner, **defaults)


def line_amounts(quantity: Any, unit_price: Any, tax_rate: Any = "13.00") -> dict[str, Decimal]:
    """Net, tax and gross of a line, each rounded half up to cents (as PriceQuote does)."""
    net = (Decimal(str(quantity)) * Decimal(str(unit_price))).quantize(CENT, rounding=ROUND_HALF_UP)
    tax = (net * Decimal(str(tax_rate)) / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
    return {"net_amount": net, "tax_amount": tax, "gross_amount": net + tax}


class SalesOrderFactory(factory.django.DjangoModelFactory):
    """An order as stored (status submitted, on credit); totals are whatever you pass (make_order computes them).
    Pass `customer_account`; company and customer follow from it."""

    class Meta:
        model = SalesOrder

    customer_account = factory.SubFactory(CustomerAccountFactory)
    company = factory.LazyAttribute(lambda order: order.customer_account.company)
    customer = factory.LazyAttribute(lambda order: order.customer_account.partner)
    number = factory.Sequence(lambda n: f"SO-T-{n:06d}")
    status = OrderStatus.SUBMITTED
    payment_mode = PaymentMode.CREDIT
    payment_status = PaymentStatus.NOT_REQUIRED
    credit_status = CreditStatus.WITHIN_LIMIT
    currency = factory.LazyAttribute(lambda order: order.customer_account.currency)
    payment_terms = factory.LazyAttribute(lambda order: order.customer_account.payment_terms)
    language = "zh-hans"
    placed_at = factory.LazyFunction(timezone.now)
    submitted_at = factory.LazyAttribute(
        lambda order: order.placed_at if order.status != OrderStatus.AWAITING_PAYMENT else None
    )


class SalesOrderLineFactory(factory.django.DjangoModelFactory):
    """A line of 10 × 100.00 at 13% of a new sellable item (amounts computed from quantity, price and rate)."""

    class Meta:
        model = SalesOrderLine

    order = factory.SubFactory(SalesOrderFactory)
    line_no = factory.LazyAttribute(lambda line: line.order.lines.count() + 1)
    item = factory.LazyFunction(sellable_item)
    description = factory.LazyAttribute(lambda line: str(line.item.name))
    unit = factory.LazyAttribute(lambda line: line.item.sales_unit or line.item.base_unit)
    quantity = Decimal("10")
    unit_price = Decimal("100.00")
    list_price = factory.LazyAttribute(lambda line: line.unit_price)
    price_source = "LIST"
    tax_rate = Decimal("13.00")
    net_amount = factory.LazyAttribute(
        lambda line: line_amounts(line.quantity, line.unit_price, line.tax_rate)["net_amount"]
    )
    tax_amount = factory.LazyAttribute(
        lambda line: line_amounts(line.quantity, line.unit_price, line.tax_rate)["tax_amount"]
    )
    gross_amount = factory.LazyAttribute(
        lambda line: line_amounts(line.quantity, line.unit_price, line.tax_rate)["gross_amount"]
    )


def make_order(
    account: CustomerAccount,
    lines: list[tuple] | None = None,
    *,
    status: str = OrderStatus.SUBMITTED,
    **fields: Any,
) -> SalesOrder:
    """An order of `account` with `lines` [(item, quantity, unit_price[, tax_rate])] (default one line of a new
    item, 10 × 100.00 at 13%) and its totals summed from the lines. Other SalesOrder fields pass through (e.g.
    payment_mode, payment_status, credit_status, placed_by, ship_to)."""
    if lines is None:
        lines = [(sellable_item(), "10", "100.00")]
    order = SalesOrderFactory(customer_account=account, status=status, **fields)
    net = tax = Decimal("0.00")
    for number, entry in enumerate(lines, start=1):
        item, quantity, price = entry[0], Decimal(str(entry[1])), Decimal(str(entry[2]))
        rate = Decimal(str(entry[3])) if len(entry) > 3 else Decimal("13.00")
        line = SalesOrderLineFactory(
            order=order, line_no=number, item=item, quantity=quantity, unit_price=price, tax_rate=rate
        )
        net += line.net_amount
        tax += line.tax_amount
    order.net_total, order.tax_total, order.gross_total = net, tax, net + tax
    order.save(update_fields=["net_total", "tax_total", "gross_total"])
    return order
