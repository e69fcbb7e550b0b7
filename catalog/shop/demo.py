"""Demo storefront: how the demo items are sold (sales unit, minimum, multiples, lead times), the list prices of
SH01 (CNY, 13 % VAT, quantity breaks) and HK04 (USD, no VAT), the customer prices of 广州联合汽车零部件 at SH01,
and finished-goods stock in SH01's FG01 for some items (none for others, so "made to order" shows). A few items
have no price at SH01, so "request a quote" shows too. Everything goes through the services; running it again
changes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from catalog.models import Item, UnitOfMeasure
from catalog.pricing.models import PriceListKind
from catalog.pricing.services import customer_price_list_code, price_list_upsert
from catalog.services import item_upsert
from portal.core.registry import demo_data
from portal.organisations.models import Company, Partner, Warehouse

from .models import ItemStock
from .services import stock_upsert

# Applies what the ERP sends (the simulator's own API client is created later, at 900).
ERP_STAND_IN = SimpleNamespace(
    is_api_client=True, is_usable=True, company_id=None, name="ERP simulator", is_authenticated=False
)
CUSTOMER_TAX_ID = "91440100MA3GU0035N"  # 广州联合汽车零部件有限公司

# item code → sales unit (None: the base unit), minimum order quantity, order multiple, lead time in days
SALES_TERMS = {
    "PL-Q235B-06-1500": (None, "2", "0", 10),
    "PL-Q235B-10-1500": (None, "2", "0", 10),
    "PL-Q235B-20-2000": (None, "5", "0", 14),
    "PL-Q345B-12-2000": (None, "5", "0", 15),
    "PL-Q345B-30-2200": (None, "5", "0", 21),
    "PL-Q355B-16-2000": (None, "5", "0", 21),
    "PL-304-03-1219": ("pcs", "10", "1", 25),
    "PL-316L-06-1500": ("pcs", "5", "1", 35),
    "BLT-M8x30-8.8-ZN": (None, "200", "200", 7),
    "BLT-M10x40-8.8-ZN": (None, "200", "200", 7),
    "BLT-M12x50-8.8-ZN": (None, "100", "100", 7),
    "BLT-M12x60-10.9-BK": (None, "100", "100", 10),
    "BLT-M16x80-10.9-DC": (None, "50", "50", 12),
    "BLT-M20x100-10.9-HDG": (None, "25", "25", 15),
    "BLT-M24x120-12.9-BK": (None, "20", "20", 20),
    "NUT-M12-8-ZN": (None, "500", "500", 7),
    "NUT-M16-10-BK": (None, "200", "200", 7),
    "NUT-M20-10-HDG": (None, "100", "100", 10),
    "CBL-YJV22-3x95-1x50": (None, "100", "50", 20),
    "CBL-YJV-4x25": (None, "100", "100", 15),
    "CBL-BVR-1x6": (None, "100", "100", 7),
    "CBL-YJV22-3x240": (None, "200", "50", 30),
    "MTR-YE3-132M-4": (None, "1", "1", 20),
    "MTR-YE3-160L-4": (None, "1", "1", 25),
    "MTR-YE3-200L-6": (None, "1", "1", 40),
}

# SH01's list prices in CNY, net of VAT, per sales unit: item code → [(from quantity, price)]
SH01_LIST = {
    "PL-Q235B-06-1500": [("0", "4380"), ("20", "4290"), ("50", "4210")],
    "PL-Q235B-10-1500": [("0", "4350"), ("20", "4260"), ("50", "4180")],
    "PL-Q235B-20-2000": [("0", "4420"), ("50", "4300")],
    "PL-Q345B-12-2000": [("0", "4780"), ("50", "4650")],
    "PL-Q345B-30-2200": [("0", "4860")],
    "PL-Q355B-16-2000": [("0", "4950")],
    "PL-304-03-1219": [("0", "1210"), ("50", "1165")],
    "BLT-M8x30-8.8-ZN": [("0", "0.35"), ("2000", "0.31")],
    "BLT-M10x40-8.8-ZN": [("0", "0.62"), ("2000", "0.56")],
    "BLT-M12x50-8.8-ZN": [("0", "1.10"), ("1000", "0.98")],
    "BLT-M12x60-10.9-BK": [("0", "1.45")],
    "BLT-M16x80-10.9-DC": [("0", "3.20")],
    "BLT-M20x100-10.9-HDG": [("0", "6.80")],
    "BLT-M24x120-12.9-BK": [("0", "11.50")],
    "NUT-M12-8-ZN": [("0", "0.28")],
    "NUT-M16-10-BK": [("0", "0.66")],
    "NUT-M20-10-HDG": [("0", "1.35")],
    "CBL-YJV22-3x95-1x50": [("0", "285"), ("1000", "272")],
    "CBL-YJV-4x25": [("0", "72.5")],
    "CBL-BVR-1x6": [("0", "4.80")],
    "MTR-YE3-132M-4": [("0", "3980")],
    "MTR-YE3-160L-4": [("0", "6850")],
    # no list price at SH01: PL-316L-06-1500, CBL-YJV22-3x240, MTR-YE3-200L-6 (request a quote)
}

# HK04's list prices in USD, no VAT (Hong Kong)
HK04_LIST = {
    "PL-Q235B-10-1500": [("0", "640"), ("50", "615")],
    "PL-Q345B-12-2000": [("0", "705")],
    "PL-316L-06-1500": [("0", "1580")],
    "BLT-M12x50-8.8-ZN": [("0", "0.165")],
    "BLT-M16x80-10.9-DC": [("0", "0.48")],
    "MTR-YE3-160L-4": [("0", "995")],
    "MTR-YE3-200L-6": [("0", "2280")],
}

# 广州联合's own prices at SH01 (agreed yearly)
CUSTOMER_PRICES = {
    "PL-Q235B-10-1500": [("0", "4180"), ("50", "4080")],
    "BLT-M12x50-8.8-ZN": [("0", "0.98")],
    "BLT-M16x80-10.9-DC": [("0", "2.90")],
    "CBL-YJV22-3x95-1x50": [("0", "268")],
}

# SH01 FG01 stock in the base unit: item code → (on hand, available); the other items have none
STOCK = {
    "PL-Q235B-06-1500": ("126.5", "118.2"),
    "PL-Q235B-10-1500": ("86.4", "80.0"),
    "PL-Q345B-12-2000": ("4.2", "3.1"),  # below the minimum of 5 t: low stock
    "BLT-M8x30-8.8-ZN": ("48000", "45000"),
    "BLT-M12x50-8.8-ZN": ("22000", "20500"),
    "BLT-M16x80-10.9-DC": ("30", "30"),  # below one box of 50: low stock
    "NUT-M12-8-ZN": ("60000", "60000"),
    "CBL-YJV-4x25": ("3200", "2800"),
    "MTR-YE3-132M-4": ("12", "9"),
}


def _lines(items: dict[str, Item], units: dict[int, UnitOfMeasure], prices: dict, tax_rate: str) -> list[dict]:
    lines = []
    for code, breaks in prices.items():
        item = items.get(code)
        if item is None:
            continue
        unit = units[item.sales_unit_id or item.base_unit_id]
        for quantity, price in breaks:
            lines.append(
                {
                    "item": item,
                    "unit": unit,
                    "min_quantity": Decimal(quantity),
                    "unit_price": Decimal(price),
                    "tax_rate": Decimal(tax_rate),
                }
            )
    return lines


@demo_data.register("045-shop")
def load_shop_demo() -> list:
    units_by_code = {unit.code: unit for unit in UnitOfMeasure.objects.all()}
    for code, (sales_unit, minimum, multiple, lead_time) in SALES_TERMS.items():
        if Item.objects.filter(code=code).exists():
            item_upsert(
                actor=ERP_STAND_IN,
                code=code,
                values={
                    "sales_unit": units_by_code.get(sales_unit) if sales_unit else None,
                    "min_order_quantity": Decimal(minimum),
                    "order_multiple": Decimal(multiple),
                    "lead_time_days": lead_time,
                },
            )
    items = {item.code: item for item in Item.objects.filter(code__in=SALES_TERMS)}
    units = {unit.pk: unit for unit in units_by_code.values()}
    companies = {company.code: company for company in Company.objects.filter(code__in=["SH01", "HK04"])}
    if "SH01" in companies:
        sh01 = companies["SH01"]
        price_list_upsert(
            actor=ERP_STAND_IN,
            company=sh01,
            code="LIST-SH01",
            values={"name": "上海钢铁标准价格表", "currency": "CNY", "kind": PriceListKind.LIST},
            lines=_lines(items, units, SH01_LIST, "13"),
        )
        customer = Partner.objects.filter(tax_id=CUSTOMER_TAX_ID).first()
        if customer is not None:
            price_list_upsert(
                actor=ERP_STAND_IN,
                company=sh01,
                code=customer_price_list_code(customer),
                values={
                    "name": "广州联合 2026 年度协议价",
                    "currency": "CNY",
                    "kind": PriceListKind.CUSTOMER,
                    "customer": customer,
                },
                lines=_lines(items, units, CUSTOMER_PRICES, "13"),
            )
        warehouse = Warehouse.objects.filter(company=sh01, code="FG01").first()
        if warehouse is not None:
            as_of = timezone.now() - timedelta(hours=2)
            for code, (on_hand, available) in STOCK.items():
                item = items.get(code)
                if item is None or ItemStock.objects.filter(warehouse=warehouse, item=item).exists():
                    continue
                stock_upsert(
                    actor=ERP_STAND_IN,
                    company=sh01,
                    warehouse=warehouse,
                    item=item,
                    on_hand=Decimal(on_hand),
                    available=Decimal(available),
                    as_of=as_of,
                )
    if "HK04" in companies:
        price_list_upsert(
            actor=ERP_STAND_IN,
            company=companies["HK04"],
            code="LIST-HK04",
            values={"name": "Group Trading list prices", "currency": "USD", "kind": PriceListKind.LIST},
            lines=_lines(items, units, HK04_LIST, "0"),
        )
    return []
