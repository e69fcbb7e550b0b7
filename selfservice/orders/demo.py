"""Demo sales orders of 广州联合汽车零部件 (Guangzhou United Auto Parts) at SH01: one submitted and waiting for review
(one line priced below the list, one requested sooner than the item can be made), one reviewed and confirmed with
promised dates (one line reduced), one placed in the ERP and received through the same service as the API; and
the customer's open receivables as the ERP reports them. Reviews go through the real services. Running it again
changes nothing (orders are found by number)."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from catalog.models import Item, UnitOfMeasure
from portal.core.registry import demo_data
from portal.organisations.models import Company, CustomerAccount, Partner

from .erp_sync import ErpLine, customer_balance_upsert, sales_order_upsert
from .models import CustomerBalance, OrderStatus, SalesOrder, SalesOrderLine
from .review import order_line_confirm, order_line_reduce
from .selectors import company_today
from .workflow import order_submit_for_review

CUSTOMER_TAX_ID = "91440100MA3GU0035N"
CENT = Decimal("0.01")
# number, status, lines: (item code, quantity, unit price, list price, days until the requested date)
ORDERS = [
    (
        "SO-DEMO-0001",
        OrderStatus.SUBMITTED,
        [
            ("BLT-M12x50-8.8-ZN", "5000", "1.8500", "1.9500", 3),
            ("NUT-M12-8-ZN", "5000", "0.4200", "0.4200", 30),
            ("PL-Q235B-10-1500", "12", "4450.0000", "4380.0000", 45),
        ],
    ),
    (
        "SO-DEMO-0002",
        OrderStatus.CONFIRMED,
        [
            ("BLT-M16x80-10.9-DC", "2000", "3.6000", "3.6000", 20),
            ("NUT-M16-10-BK", "2000", "0.9500", "0.9500", 20),
        ],
    ),
]
ERP_ORDER = ("SO880012", [("BLT-M10x40-8.8-ZN", "8000", "1.1000"), ("NUT-M12-8-ZN", "3000", "0.4200")])
# The simulated ERP's view of the customer's receivables (selfservice/orders/erp_sim.py pushes the same figures).
BALANCES = [("SH01", "350000.00", "20000.00"), ("HK04", "12000.00", "0.00")]
# Applies what the ERP sends when the simulator's own API client is not there yet (it is created at 900).
ERP_STAND_IN = SimpleNamespace(
    is_api_client=True, is_usable=True, company_id=None, name="ERP simulator", is_authenticated=False
)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _portal_order(number, status, lines, *, company, account, buyer, sales) -> None:
    items = {item.code: item for item in Item.objects.filter(code__in=[line[0] for line in lines])}
    if len(items) != len(lines):
        return
    today = company_today(company)
    with transaction.atomic():
        order = SalesOrder.objects.create(
            number=number,
            company=company,
            customer=account.partner,
            customer_account=account,
            placed_by=buyer,
            status=OrderStatus.SUBMITTED,
            currency=account.currency,
            customer_po=f"GZU-PO-{number[-4:]}",
            payment_terms=account.payment_terms,
            ship_to_text="广州市番禺区化龙镇金湖工业城 C 区 8 号 广州联合汽车零部件有限公司 收货部",
            invoicing={"invoice_title": account.partner.name, "tax_id": account.partner.tax_id},
            language="zh-hans",
            placed_at=timezone.now(),
        )
        net_total = tax_total = Decimal("0.00")
        for position, (code, quantity, price, list_price, days) in enumerate(lines, start=1):
            item = items[code]
            net = _money(Decimal(quantity) * Decimal(price))
            tax = _money(net * Decimal("0.13"))
            SalesOrderLine.objects.create(
                order=order,
                line_no=position * 10,
                item=item,
                description=item.name,
                unit_id=item.sales_unit_id or item.base_unit_id,
                quantity=Decimal(quantity),
                unit_price=Decimal(price),
                list_price=Decimal(list_price),
                price_source="list",
                tax_rate=Decimal("13"),
                net_amount=net,
                tax_amount=tax,
                gross_amount=net + tax,
                requested_date=today + timedelta(days=days),
            )
            net_total += net
            tax_total += tax
        SalesOrder.objects.filter(pk=order.pk).update(
            net_total=net_total, tax_total=tax_total, gross_total=net_total + tax_total
        )
        order.refresh_from_db()
        order_submit_for_review(order=order, actor=buyer)
    if status == OrderStatus.CONFIRMED and sales is not None:
        first, second = order.lines.order_by("line_no")
        order_line_confirm(actor=sales, order_id=order.pk, line_id=first.pk, promised_date=today + timedelta(days=21))
        order_line_reduce(
            actor=sales,
            order_id=order.pk,
            line_id=second.pk,
            quantity=Decimal(second.quantity) / 2,
            promised_date=today + timedelta(days=28),
        )


def _erp_order(company, account) -> None:
    erp_number, lines = ERP_ORDER
    if SalesOrder.objects.filter(company=company, erp_number=erp_number).exists():
        return
    items = {item.code: item for item in Item.objects.filter(code__in=[line[0] for line in lines])}
    if len(items) != len(lines):
        return
    units = {unit.pk: unit for unit in UnitOfMeasure.objects.filter(pk__in=[i.base_unit_id for i in items.values()])}
    today = company_today(company)
    sales_order_upsert(
        actor=ERP_STAND_IN,
        company=company,
        erp_number=erp_number,
        account=account,
        values={"customer_po": "电话订单 2027-02", "payment_terms": account.payment_terms},
        lines=[
            ErpLine(
                line_no=(position + 1) * 10,
                item=items[code],
                unit=units[items[code].base_unit_id],
                quantity=Decimal(quantity),
                unit_price=Decimal(price),
                tax_rate=Decimal("13"),
                promised_date=today + timedelta(days=14),
            )
            for position, (code, quantity, price) in enumerate(lines)
        ],
        source_version=1,
    )


@demo_data.register("090-orders")
def load_orders_demo() -> list:
    company = Company.objects.filter(code="SH01").first()
    customer = Partner.objects.filter(tax_id=CUSTOMER_TAX_ID).first()
    if company is None or customer is None:
        return []
    account = CustomerAccount.objects.filter(partner=customer, company=company).select_related("partner").first()
    if account is None:
        return []
    users = get_user_model().objects
    buyer = users.filter(email="buyer@gzunited.example").first()
    sales = users.filter(email="sales@sh01.example").first()
    for number, status, lines in ORDERS:
        if not SalesOrder.objects.filter(number=number).exists():
            _portal_order(number, status, lines, company=company, account=account, buyer=buyer, sales=sales)
    _erp_order(company, account)
    for code, receivables, overdue in BALANCES:
        balance_account = (
            CustomerAccount.objects.filter(partner=customer, company__code=code).select_related("company").first()
        )
        if balance_account is None or CustomerBalance.objects.filter(customer_account=balance_account).exists():
            continue
        customer_balance_upsert(
            actor=ERP_STAND_IN,
            account=balance_account,
            values={
                "open_receivables": Decimal(receivables),
                "overdue": Decimal(overdue),
                "as_of": timezone.now() - timedelta(hours=6),
            },
        )
    return []
