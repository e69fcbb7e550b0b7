"""Storefront fixtures: sellable steel plates with specifications, list and customer prices, stock."""

from datetime import UTC, datetime
from decimal import Decimal

from catalog.models import Item
from catalog.pricing.models import PriceList, PriceListKind, PriceListLine
from catalog.search import remember_words, search_document
from catalog.shop.models import ItemStock
from tests.factories import WarehouseFactory
from tests.factories.catalog import ItemFactory, steel_plate_category, steel_units


def plate(code, grade="Q235B", thickness="10", category=None, units=None, **fields) -> Item:
    """A sellable, active steel plate with its search document."""
    units = units or steel_units()
    category = category or steel_plate_category()
    item = ItemFactory(
        code=code,
        name=fields.pop("name", f"热轧钢板 {grade} {thickness}mm"),
        name_en=fields.pop("name_en", f"Hot-rolled plate {grade} {thickness} mm"),
        category=category,
        base_unit=units["t"],
        is_sellable=fields.pop("is_sellable", True),
        attributes={"grade": grade, "thickness": thickness},
        **fields,
    )
    item.search_text = search_document(item, category)
    item.save(update_fields=["search_text"])
    remember_words([item.search_text])  # as item_upsert does
    return item


def price_list(company, code="LIST", kind=PriceListKind.LIST, **fields) -> PriceList:
    return PriceList.objects.create(
        company=company, code=code, name=code, currency=fields.pop("currency", company.currency), kind=kind, **fields
    )


def line(price_list, item, unit_price, min_quantity="0", **fields) -> PriceListLine:
    return PriceListLine.objects.create(
        price_list=price_list,
        item=item,
        unit=fields.pop("unit", item.sales_unit or item.base_unit),
        unit_price=Decimal(unit_price),
        min_quantity=Decimal(min_quantity),
        **fields,
    )


def stock(company, item, available, warehouse=None, as_of=None, on_hand=None) -> ItemStock:
    warehouse = warehouse or WarehouseFactory(company=company)
    return ItemStock.objects.create(
        company=company,
        warehouse=warehouse,
        item=item,
        available=Decimal(available),
        on_hand=Decimal(on_hand if on_hand is not None else available),
        as_of=as_of or datetime(2026, 11, 28, 8, 0, tzinfo=UTC),
    )
