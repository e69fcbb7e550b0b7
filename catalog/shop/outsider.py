"""Outsider sweep registrations for the storefront (imported by the sweep test only).

Categories and item pages are public (the item master is the group's): everyone gets them. Datasheets and quote
requests are for people acting for an approved customer: anyone else gets 404 (anonymous: the login). A quote
request in the back office is its company's: another company's staff get 404."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.item_files import item_datasheet_add
from catalog.models import Category, Item
from catalog.shop.models import QuoteRequest
from portal.core.outsider import OutsiderCase, register
from portal.documents.models import Document
from tests.factories.catalog import CategoryFactory, ItemFactory

PUBLIC = {"anonymous": 200, "supplier_b_admin": 200, "staff_b": 200, "outsider": 200, "api_b": 200}


def _item(cast) -> Item:
    return ItemFactory(code="SHOP-1", is_sellable=True)


def _datasheet(cast) -> Document:
    upload = SimpleUploadedFile("sheet.pdf", b"%PDF-1.4 sheet", content_type="application/pdf")
    return item_datasheet_add(actor=cast.group_admin, item=_item(cast), uploaded_file=upload)


def _quote_request(cast) -> QuoteRequest:
    item = _item(cast)
    return QuoteRequest.objects.create(
        number="RQ-2026-00001",
        company=cast.company_a,
        customer=cast.customer_c,
        requested_by=cast.customer_c_admin,
        item=item,
        quantity=Decimal("5"),
        unit=item.base_unit,
    )


register(
    OutsiderCase(
        url_name="shop:category",
        model=Category,
        make=lambda cast: CategoryFactory(code="SHOP-CAT"),
        owner=lambda cast, obj: cast.customer_c_admin,
        kwargs=lambda category: {"code": category.code},
        expect=PUBLIC,
    )
)
register(
    OutsiderCase(
        url_name="shop:item",
        model=Item,
        make=_item,
        owner=lambda cast, obj: cast.customer_c_admin,
        kwargs=lambda item: {"code": item.code},
        expect=PUBLIC,
    )
)
register(
    OutsiderCase(
        url_name="shop:datasheet",
        model=Document,
        make=_datasheet,
        owner=lambda cast, obj: cast.customer_c_admin,
        kwargs=lambda document: {"code": "SHOP-1", "document_id": document.uuid},
    )
)
register(
    OutsiderCase(
        url_name="shop:quote_request",
        model=Item,
        make=_item,
        owner=lambda cast, obj: cast.customer_c_admin,
        kwargs=lambda item: {"code": item.code},
        method="post",
        data={"quantity": "5"},
        owner_status=302,
    )
)
register(
    OutsiderCase(
        url_name="shop_admin:quote_detail",
        model=QuoteRequest,
        make=_quote_request,
        owner=lambda cast, obj: cast.sales,
        kwargs=lambda quote_request: {"quote_id": quote_request.uuid},
    )
)
register(
    OutsiderCase(
        url_name="shop:quote_withdraw",
        model=QuoteRequest,
        make=_quote_request,
        owner=lambda cast, obj: cast.customer_c_admin,
        kwargs=lambda quote_request: {"quote_id": quote_request.uuid},
        method="post",
        owner_status=302,
    )
)
