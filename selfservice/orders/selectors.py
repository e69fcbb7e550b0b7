"""Reading sales orders for order review (订单评审) and for the customer: each line against the list price, the
ERP's stock and the item's lead time (产销平衡), the totals of what was confirmed, and the history.

The earliest date a line can be delivered: when the ERP's available stock of the item (summed over the selling
company's warehouses, in the item's base unit) covers the line, today + STOCK_DAYS in the company's time zone;
otherwise today + the item's lead time. A requested date before that is flagged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, F, Min, Prefetch, Sum
from django.utils import timezone

from catalog.models import ItemUnitConversion
from catalog.shop.models import ItemStock

from .models import LineStatus, OrderEvent, SalesOrder, SalesOrderLine

# Days from today to delivery of a line the stock covers (picking, packing, dispatch).
STOCK_DAYS = 2
CENT = Decimal("0.01")
CONFIRMED_LINE_STATUSES = (LineStatus.CONFIRMED, LineStatus.REDUCED)


def company_today(company: Any, *, now: Any = None) -> date:
    """Today's date where the company is (its time zone; Asia/Shanghai when the zone is unknown)."""
    try:
        zone = ZoneInfo(company.time_zone or "Asia/Shanghai")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("Asia/Shanghai")
    return (now or timezone.now()).astimezone(zone).date()


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineReview:
    line: SalesOrderLine
    deviation: Decimal | None  # % of the unit price against the list price (negative: below the list)
    stock: Decimal | None  # available in the line's unit (None: the ERP has not reported the item's stock)
    covered: bool  # the stock covers the line's quantity
    earliest: date
    date_at_risk: bool  # the requested date is before the earliest possible one

    @property
    def below_list(self) -> bool:
        return self.deviation is not None and self.deviation < 0


def _to_base_factor(line: SalesOrderLine, conversions: dict[tuple[int, int], Decimal]) -> Decimal | None:
    """Base units per one unit of the line (None when the units cannot be converted)."""
    item = line.item
    if line.unit_id == item.base_unit_id:
        return Decimal(1)
    if (item.pk, line.unit_id) in conversions:
        return conversions[(item.pk, line.unit_id)]
    base = item.base_unit
    if line.unit.dimension == base.dimension and base.factor:
        return Decimal(line.unit.factor) / Decimal(base.factor)
    return None


def review_lines(order: SalesOrder, lines: list[SalesOrderLine], *, today: date | None = None) -> list[LineReview]:
    """Each line with its price deviation, stock and earliest date. Two queries whatever the number of lines
    (stock per item, unit conversions); `lines` come with item, item__base_unit and unit."""
    today = today or company_today(order.company)
    item_ids = {line.item_id for line in lines}
    stock = dict(
        ItemStock.objects.filter(company_id=order.company_id, item_id__in=item_ids)
        .values("item_id")
        .annotate(total=Sum("available"))
        .values_list("item_id", "total")
    )
    conversions = {
        (item_id, unit_id): factor
        for item_id, unit_id, factor in ItemUnitConversion.objects.filter(item_id__in=item_ids).values_list(
            "item_id", "unit_id", "factor"
        )
    }
    reviewed = []
    for line in lines:
        deviation = None
        if line.list_price:
            deviation = ((line.unit_price - line.list_price) / line.list_price * 100).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP
            )
        available = None
        covered = False
        factor = _to_base_factor(line, conversions)
        if line.item_id in stock and factor:
            available = (Decimal(stock[line.item_id]) / factor).quantize(Decimal("0.0001"))
            covered = available >= line.quantity
        earliest = today + timedelta(days=STOCK_DAYS if covered else max(line.item.lead_time_days, STOCK_DAYS))
        reviewed.append(
            LineReview(
                line=line,
                deviation=deviation,
                stock=available,
                covered=covered,
                earliest=earliest,
                date_at_risk=line.requested_date is not None and line.requested_date < earliest,
            )
        )
    return reviewed


def order_lines(order: SalesOrder) -> list[SalesOrderLine]:
    return list(order.lines.select_related("item", "item__base_unit", "unit").order_by("line_no"))


@dataclass(frozen=True)
class ConfirmedTotals:
    net: Decimal
    tax: Decimal
    gross: Decimal


def confirmed_totals(lines: list[SalesOrderLine]) -> ConfirmedTotals | None:
    """The totals of the confirmed quantities (the ordered figures stay on the order): None while no line is
    decided. A rejected line counts nothing, a reduced one its confirmed quantity at the line's price."""
    if all(line.status == LineStatus.OPEN for line in lines):
        return None
    net = tax = Decimal("0.00")
    for line in lines:
        if line.status not in CONFIRMED_LINE_STATUSES:
            continue
        quantity = line.confirmed_quantity if line.confirmed_quantity is not None else line.quantity
        if quantity == line.quantity:
            net += line.net_amount
            tax += line.tax_amount
        else:
            line_net = money(quantity * line.unit_price)
            net += line_net
            tax += money(line_net * line.tax_rate / 100)
    return ConfirmedTotals(net=net, tax=tax, gross=net + tax)


def status_counts(queryset) -> dict[str, int]:
    """{status: number of orders} in one query."""
    return dict(queryset.order_by().values("status").annotate(n=Count("id")).values_list("status", "n"))


def with_earliest_promise(queryset):
    return queryset.annotate(earliest_promise=Min("lines__promised_date"))


def customer_orders(user: Any, partner: Any):
    """The partner's orders (all companies, portal and ERP alike) as the person may see them."""
    return (
        SalesOrder.objects.visible_to(user)
        .filter(customer_id=getattr(partner, "pk", partner))
        .select_related("company")
        .order_by(F("placed_at").desc(nulls_last=True), "-created_at", "-id")
    )


def public_history(order: SalesOrder) -> list[OrderEvent]:
    return list(OrderEvent.objects.filter(order=order, internal=False).order_by("at", "id"))


def staff_history(order: SalesOrder) -> list[OrderEvent]:
    return list(OrderEvent.objects.filter(order=order).order_by("at", "id"))


def prefetch_lines():
    return Prefetch(
        "lines", queryset=SalesOrderLine.objects.select_related("item", "unit").order_by("line_no"), to_attr="line_list"
    )
