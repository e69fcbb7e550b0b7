"""/api/v1/ for sales orders and customer balances.

- `POST /sales-orders/batch`, `PUT /sales-orders/{company}/{erp_number}`: orders placed in the ERP, upserted by
  company and ERP order number (see erp_sync.py); the customer by its ERP customer number or tax id.
- `GET /sales-orders` (paged, `?company=&status=&customer=&updated_since=&cursor=`), `GET /sales-orders/{number}`
  and `GET /sales-orders/{company}/{erp_number}`: every order (portal and ERP), as the order.* events carry it.
- `POST /customer-balances/batch`: the customers' open receivables, which the credit check counts.

Writing takes `orders:write`, reading `orders:read`. A company-bound client reads and writes its own company's
orders only (another company's: "forbidden" in a batch, 403 on a PUT, 404 on a read)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import register_converter
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import AwareDatetime

from catalog.models import Item, ItemUnitConversion, UnitOfMeasure
from portal.api.idempotency import run_idempotent
from portal.api.problems import PROBLEM_STATUSES, Problem, problem_response
from portal.api.reading import DEFAULT_LIMIT, MAX_LIMIT, page, path_key
from portal.api.upserting import (
    BatchResults,
    CleanSchema,
    Collection,
    UpsertIn,
    UpsertResult,
    apply_objects,
    batch_schema,
    body_with_key,
    json_response,
    require_scope,
    source_of,
)
from portal.organisations.access import scope_of
from portal.organisations.models import Company, CustomerAccount

from .erp_sync import ERP_STATUSES, ErpLine, customer_balance_upsert, sales_order_upsert
from .models import LineStatus, SalesOrder, SalesOrderLine
from .workflow import order_payload

router = Router(tags=["orders"])


class ErpNumberConverter:
    """An ERP order number in the path: any segment but "payments", which is
    `/sales-orders/{number}/payments` of selfservice.payments (mounted after this router)."""

    regex = r"(?!payments(?![^/]))[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ErpNumberConverter, "erpnumber")
SCOPE_READ = "orders:read"
SCOPE_WRITE = "orders:write"
PROBLEMS: dict[int, Any] = dict.fromkeys(PROBLEM_STATUSES, Problem)
PRICE = {"ge": 0, "max_digits": 20, "decimal_places": 4}
QUANTITY = {"gt": 0, "max_digits": 20, "decimal_places": 4}
AMOUNT = {"max_digits": 20, "decimal_places": 2}


# --- what the ERP sends ------------------------------------------------------------------------------------------


class CustomerRef(CleanSchema):
    erp_number: str | None = Field(None, max_length=40, description="The ERP's customer number at the company.")
    tax_id: str | None = Field(None, max_length=40, description="The customer's tax id (unified social credit code).")


class SalesOrderLineIn(CleanSchema):
    line: int = Field(..., ge=1, le=1_000_000, description="The line number; lines are matched by it.")
    item: str = Field(..., max_length=40, description="The item's code.")
    description: str = Field("", max_length=300)
    quantity: Decimal = Field(..., **QUANTITY)
    unit: str | None = Field(
        None, max_length=20, description="The unit's code; the item's sales or base unit if left out."
    )
    unit_price: Decimal = Field(..., **PRICE, description="Net of VAT, per unit, in the order's currency.")
    tax_rate: Decimal = Field(Decimal("13"), ge=0, le=100, max_digits=5, decimal_places=2)
    requested_date: date | None = None
    promised_date: date | None = None
    status: LineStatus = LineStatus.CONFIRMED
    confirmed_quantity: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=4)
    rejection_reason: str = Field("", max_length=2000)


class SalesOrderIn(UpsertIn):
    company: str = Field(None, description="The selling company's code. Required in a batch; in the path of a PUT.")
    erp_number: str = Field(None, max_length=40, description="The ERP's order number. Required in a batch.")
    customer: CustomerRef = Field(None, description="Required for a new order.")
    status: str = Field(None, description="submitted, confirmed (default for a new order), rejected or cancelled.")
    currency: str | None = Field(None, min_length=3, max_length=3, description="Default: the customer account's.")
    customer_po: str | None = Field(None, max_length=60)
    payment_terms: str | None = Field(None, max_length=100)
    ship_to: str | None = Field(None, max_length=2000, description="The delivery address as text.")
    note: str | None = Field(None, max_length=5000)
    placed_at: AwareDatetime | None = None
    lines: list[SalesOrderLineIn] | None = Field(None, max_length=1000, description="Required for a new order.")


class CustomerBalanceIn(UpsertIn):
    company: str = Field(None, description="The company's code. Required.")
    customer: CustomerRef = Field(None, description="Required: the ERP customer number or the tax id.")
    open_receivables: Decimal = Field(..., ge=0, **AMOUNT)
    overdue: Decimal = Field(Decimal("0"), ge=0, **AMOUNT)
    currency: str | None = Field(None, min_length=3, max_length=3)
    as_of: AwareDatetime = Field(..., description="When the ERP computed the figures.")


# --- what the API answers ----------------------------------------------------------------------------------------


class CustomerOut(Schema):
    tax_id: str
    erp_number: str


class ShipToOut(Schema):
    code: str
    text: str


class SalesOrderLineOut(Schema):
    line: int
    item: str
    quantity: str
    unit: str
    unit_price: str
    tax_rate: str
    net_amount: str
    requested_date: date | None
    status: str
    confirmed_quantity: str | None
    promised_date: date | None
    rejection_reason: str


class SalesOrderOut(Schema):
    """As the order.* events carry it (selfservice.orders.workflow.order_payload)."""

    order: uuid.UUID
    number: str
    erp_number: str
    source: str
    company: str
    customer: CustomerOut
    status: str
    payment_mode: str
    payment_status: str
    credit_status: str
    currency: str
    net_total: str
    tax_total: str
    gross_total: str
    customer_po: str
    payment_terms: str
    ship_to: ShipToOut
    invoicing: dict
    lines: list[SalesOrderLineOut]


class SalesOrderPage(Schema):
    results: list[SalesOrderOut]
    next_cursor: str | None


# --- applying ----------------------------------------------------------------------------------------------------


def _company(actor: Any, code: str) -> Company:
    scope = scope_of(actor)
    companies = Company.objects.all() if scope.is_group else Company.objects.filter(pk__in=scope.company_ids)
    company = companies.filter(code=code).first()
    if company is None:
        if not scope.is_group:
            raise PermissionDenied(_("This client may only write the orders of its own company."))
        raise ValidationError({"company": _("There is no company %(code)s.") % {"code": code}})
    return company


def _account(company: Company, customer: CustomerRef | None) -> CustomerAccount:
    if customer is None or not (customer.erp_number or customer.tax_id):
        raise ValidationError({"customer": _("Name the customer by its ERP customer number or its tax id.")})
    accounts = CustomerAccount.objects.filter(company=company).select_related("partner", "company")
    account = None
    if customer.erp_number:
        account = accounts.filter(erp_number=customer.erp_number).first()
    if account is None and customer.tax_id:
        account = accounts.filter(partner__tax_id=customer.tax_id).first()
    if account is None:
        raise ValidationError({"customer": _("%(company)s has no such customer account.") % {"company": company.code}})
    return account


def _lines(data: list[SalesOrderLineIn]) -> list[ErpLine]:
    items = {item.code: item for item in Item.objects.filter(code__in={line.item for line in data})}
    units = {
        unit.code: unit for unit in UnitOfMeasure.objects.filter(code__in={line.unit for line in data if line.unit})
    }
    base_units = {
        unit.pk: unit
        for unit in UnitOfMeasure.objects.filter(
            pk__in={
                unit_id for item in items.values() for unit_id in (item.sales_unit_id, item.base_unit_id) if unit_id
            }
        )
    }
    converted = set(ItemUnitConversion.objects.filter(item__in=items.values()).values_list("item_id", "unit_id"))
    errors: dict[str, list[str]] = {}
    lines = []
    for index, line in enumerate(data):
        item = items.get(line.item)
        if item is None:
            errors[f"lines[{index}].item"] = [_("There is no item with the code “%(code)s”.") % {"code": line.item}]
            continue
        unit = units.get(line.unit) if line.unit else base_units.get(item.sales_unit_id or item.base_unit_id)
        if unit is None:
            errors[f"lines[{index}].unit"] = [_("There is no unit with the code “%(code)s”.") % {"code": line.unit}]
            continue
        base = base_units[item.base_unit_id]
        if unit.pk not in (item.base_unit_id, item.sales_unit_id) and (item.pk, unit.pk) not in converted:
            if unit.dimension != base.dimension:
                errors[f"lines[{index}].unit"] = [
                    _("The item %(item)s is not sold in %(unit)s.") % {"item": item.code, "unit": unit.code}
                ]
                continue
        lines.append(
            ErpLine(
                line_no=line.line,
                item=item,
                unit=unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
                description=line.description,
                requested_date=line.requested_date,
                promised_date=line.promised_date,
                status=line.status,
                confirmed_quantity=line.confirmed_quantity,
                rejection_reason=line.rejection_reason,
            )
        )
    if errors:
        raise ValidationError(errors)
    return lines


def _apply_order(*, actor, data: SalesOrderIn, context, request):
    company = _company(actor, data.company)
    sent = data.model_fields_set
    existing = SalesOrder.objects.filter(company=company, erp_number=data.erp_number).select_related(
        "customer_account__partner", "customer_account__company"
    )
    existing_order = existing.first()
    if "customer" in sent or existing_order is None:
        account = _account(company, data.customer)
    else:
        account = existing_order.customer_account
    values: dict[str, Any] = {}
    if data.status is not None:
        if data.status not in ERP_STATUSES:
            raise ValidationError(
                {"status": _("Use one of: %(values)s.") % {"values": ", ".join(str(value) for value in ERP_STATUSES)}}
            )
        values["status"] = data.status
    if data.currency is not None:
        values["currency"] = data.currency.upper()
    for name, field in (("customer_po", "customer_po"), ("payment_terms", "payment_terms"), ("note", "note")):
        if getattr(data, name) is not None:
            values[field] = getattr(data, name)
    if data.ship_to is not None:
        values["ship_to_text"] = data.ship_to
    if data.placed_at is not None:
        values["placed_at"] = data.placed_at
    version, updated_at = source_of(data)
    return sales_order_upsert(
        actor=actor,
        company=company,
        erp_number=data.erp_number,
        account=account,
        values=values,
        lines=_lines(data.lines) if data.lines is not None else None,
        source_version=version,
        source_updated_at=updated_at,
        request=request,
    )


def _apply_balance(*, actor, data: CustomerBalanceIn, context, request):
    company = _company(actor, data.company)
    account = _account(company, data.customer)
    values: dict[str, Any] = {
        "open_receivables": data.open_receivables,
        "overdue": data.overdue,
        "as_of": data.as_of,
    }
    if data.currency is not None:
        values["currency"] = data.currency.upper()
    version, updated_at = source_of(data)
    return customer_balance_upsert(
        actor=actor,
        account=account,
        values=values,
        source_version=version,
        source_updated_at=updated_at,
        request=request,
    )


@dataclass(frozen=True)
class BalanceCollection(Collection):
    def key_of(self, raw: Any) -> str:
        if not isinstance(raw, dict):
            return ""
        customer = raw.get("customer") if isinstance(raw.get("customer"), dict) else {}
        return f"{raw.get('company') or '-'}/{customer.get('erp_number') or customer.get('tax_id') or '-'}"


ORDERS = Collection("sales-orders", SalesOrderIn, ("company", "erp_number"), _apply_order)
BALANCES = BalanceCollection("customer-balances", CustomerBalanceIn, ("company", "customer"), _apply_balance)

SalesOrderBatch = batch_schema(SalesOrderIn)
CustomerBalanceBatch = batch_schema(CustomerBalanceIn)


def _batch(request: HttpRequest, collection: Collection, objects: list[Any]) -> HttpResponse:
    require_scope(request, SCOPE_WRITE)
    return run_idempotent(
        request,
        request.auth,
        lambda: json_response({"results": apply_objects(request, collection, objects, batch=True)}),
    )


@router.post("/sales-orders/batch", response={200: BatchResults, **PROBLEMS})
def sales_orders_batch(request: HttpRequest, payload: SalesOrderBatch):
    """Create or change up to 1000 orders placed in the ERP (newer wins; lines matched by line number)."""
    return _batch(request, ORDERS, payload.objects)


@router.post("/customer-balances/batch", response={200: BatchResults, **PROBLEMS})
def customer_balances_batch(request: HttpRequest, payload: CustomerBalanceBatch):
    """The customers' open receivables per company (newer wins: version, updated_at, else as_of)."""
    return _batch(request, BALANCES, payload.objects)


# --- reading -----------------------------------------------------------------------------------------------------


def _readable(request: HttpRequest):
    require_scope(request, SCOPE_READ)
    lines = SalesOrderLine.objects.select_related("item", "unit").order_by("line_no")
    return (
        SalesOrder.objects.visible_to(request.auth)
        .select_related("company", "customer", "customer_account", "ship_to")
        .prefetch_related(Prefetch("lines", queryset=lines, to_attr="sorted_lines"))
    )


@router.get("/sales-orders", response={200: SalesOrderPage, **PROBLEMS})
def list_sales_orders(
    request: HttpRequest,
    company: str | None = None,
    status: str | None = None,
    customer: str | None = Query(None, description="The customer's tax id or ERP customer number."),
    updated_since: AwareDatetime | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = None,
):
    """The orders this client may read (portal and ERP ones), in id order, with their lines."""
    queryset = _readable(request)
    if company is not None:
        queryset = queryset.filter(company__code=path_key(company))
    if status is not None:
        queryset = queryset.filter(status=path_key(status))
    if customer is not None:
        key = path_key(customer)
        queryset = queryset.filter(Q(customer__tax_id=key) | Q(customer_account__erp_number=key))
    rows, next_cursor = page(
        queryset, updated_since=updated_since, updated_field="updated_at", cursor=cursor, limit=limit
    )
    return {"results": [order_payload(row, row.sorted_lines) for row in rows], "next_cursor": next_cursor}


@router.get("/sales-orders/{number}", response={200: SalesOrderOut, **PROBLEMS}, url_name="sales_order")
def get_sales_order(request: HttpRequest, number: str):
    found = _readable(request).filter(number=path_key(number)).first()
    if found is None:
        raise Http404
    return order_payload(found, found.sorted_lines)


@router.get(
    "/sales-orders/{company}/{erpnumber:erp_number}",
    response={200: SalesOrderOut, **PROBLEMS},
    url_name="sales_order_erp",
)
def get_sales_order_by_erp_number(request: HttpRequest, company: str, erp_number: str):
    found = _readable(request).filter(company__code=path_key(company), erp_number=path_key(erp_number)).first()
    if found is None:
        raise Http404
    return order_payload(found, found.sorted_lines)


@router.put(
    "/sales-orders/{company}/{erpnumber:erp_number}",
    response={200: UpsertResult, **PROBLEMS},
    url_name="sales_order_erp",
)
def put_sales_order(request: HttpRequest, company: str, erp_number: str, payload: SalesOrderIn):
    """Create or change one order placed in the ERP."""
    require_scope(request, SCOPE_WRITE)
    raw = body_with_key(payload, company=company, erp_number=erp_number)

    def answer() -> HttpResponse:
        result = apply_objects(request, ORDERS, [raw], batch=False)[0]
        if result["status"] == "invalid":
            return problem_response(422, _("The object was not applied."), result["errors"])
        if result["status"] == "forbidden":
            return problem_response(403, result["errors"][0]["detail"] if result["errors"] else "")
        return json_response(result)

    return run_idempotent(request, request.auth, answer)
