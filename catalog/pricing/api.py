"""/api/v1/ for price lists and customer groups.

Prices are a company's: a company-bound client writes and reads only its own company's (another company's
objects are "forbidden" in a batch, 403 on a PUT, 404 on a read); a group-wide client any company's. Writing takes
`masterdata:write`, reading `masterdata:read`. A price list's `lines`, when sent, replace its lines as a whole.
Writes go through catalog.pricing.services, which validate, audit and emit price_list.* / customer_group.*.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import AwareDatetime

from catalog.models import Item, UnitOfMeasure
from portal.api.problems import PROBLEM_STATUSES, Problem
from portal.api.reading import DEFAULT_LIMIT, MAX_LIMIT, page, path_key
from portal.api.upserting import (
    SCOPE_READ,
    BatchResults,
    CleanSchema,
    Collection,
    UpsertIn,
    UpsertResult,
    batch_schema,
    batch_write,
    body_with_key,
    require_scope,
    single_write,
    source_of,
)
from portal.organisations.access import scope_of
from portal.organisations.models import Company, Partner

from .models import CustomerGroup, PriceList, PriceListKind, PriceListLine
from .services import customer_group_upsert, price_list_payload, price_list_upsert

router = Router(tags=["prices"])
PROBLEMS: dict[int, Any] = dict.fromkeys(PROBLEM_STATUSES, Problem)
BATCH_RESPONSES = {200: BatchResults, **PROBLEMS}
WRITE_RESPONSES = {200: UpsertResult, **PROBLEMS}
PRICE = {"ge": 0, "max_digits": 20, "decimal_places": 4}


# --- what the ERP sends ------------------------------------------------------------------------------------------


class PriceLineIn(CleanSchema):
    item: str = Field(..., description="The item's code.")
    unit: str | None = Field(None, description="The sales unit's code; the item's base unit when left out.")
    min_quantity: Decimal = Field(Decimal("0"), **PRICE, description="The price applies from this quantity on.")
    unit_price: Decimal = Field(..., **PRICE, description="Net of VAT, in the list's currency, per unit.")
    tax_rate: Decimal = Field(Decimal("13"), ge=0, le=100, max_digits=5, decimal_places=2)
    valid_from: date | None = None
    valid_until: date | None = None


class PriceListIn(UpsertIn):
    company: str = Field(None, description="The selling company's code. Required in a batch; in the path of a PUT.")
    code: str = Field(None, description="Required in a batch; in the path of a PUT.")
    name: str = ""
    currency: str = Field(None, description="ISO 4217 code (required for a new list).")
    kind: PriceListKind = PriceListKind.LIST
    customer_group: str | None = Field(None, description="The customer group's code (kind `group`).")
    customer: uuid.UUID | None = Field(None, description="The customer's (partner's) id (kind `customer`).")
    valid_from: date | None = None
    valid_until: date | None = None
    is_active: bool = True
    lines: list[PriceLineIn] | None = Field(None, description="When given, replaces the list's lines as a whole.")


class CustomerGroupIn(UpsertIn):
    company: str = Field(None, description="The company's code. Required in a batch.")
    code: str = Field(None, description="Required in a batch.")
    name: str = ""
    name_en: str = ""
    members: list[uuid.UUID] | None = Field(
        None, description="The ids of the partners in the group; when given, replaces its members."
    )


# --- what the API answers ----------------------------------------------------------------------------------------


class PriceLineOut(Schema):
    item: str
    unit: str
    min_quantity: str
    unit_price: str
    tax_rate: str
    valid_from: date | None
    valid_until: date | None


class PriceListOut(Schema):
    """The price list as `price_list_payload` describes it (also in price_list.* events)."""

    id: uuid.UUID
    company: str
    code: str
    name: str
    currency: str
    kind: str
    customer_group: str | None
    customer: str | None
    valid_from: date | None
    valid_until: date | None
    is_active: bool
    source_version: int | None
    lines: list[PriceLineOut]


class PriceListPage(Schema):
    results: list[PriceListOut]
    next_cursor: str | None


# --- applying ----------------------------------------------------------------------------------------------------


def _company(actor: Any, code: str) -> Company:
    """The company named, if the actor may write its prices (a company client learns nothing of others)."""
    scope = scope_of(actor)
    companies = Company.objects.all() if scope.is_group else Company.objects.filter(pk__in=scope.company_ids)
    company = companies.filter(code=code).first()
    if company is None:
        if not scope.is_group:
            raise PermissionDenied(_("This client may only write the prices of its own company."))
        raise ValidationError({"company": _("There is no company %(code)s.") % {"code": code}})
    return company


def _apply_price_list(*, actor, data: PriceListIn, context, request):
    company = _company(actor, data.company)
    sent = data.model_fields_set
    values: dict[str, Any] = {
        name: getattr(data, name)
        for name in ("name", "currency", "kind", "valid_from", "valid_until", "is_active")
        if name in sent
    }
    errors: dict[str, list[str]] = {}
    if "customer_group" in sent:
        group = None
        if data.customer_group is not None:
            group = CustomerGroup.objects.filter(company=company, code=data.customer_group).first()
            if group is None:
                errors["customer_group"] = [
                    _("%(company)s has no customer group %(code)s.")
                    % {"company": company.code, "code": data.customer_group}
                ]
        values["customer_group"] = group
    if "customer" in sent:
        customer = None
        if data.customer is not None:
            customer = Partner.objects.filter(uuid=data.customer).first()
            if customer is None:
                errors["customer"] = [_("There is no partner with this id.")]
        values["customer"] = customer
    lines = None
    if data.lines is not None:
        items = {item.code: item for item in Item.objects.filter(code__in={line.item for line in data.lines})}
        units = {unit.code: unit for unit in UnitOfMeasure.objects.filter(code__in={line.unit for line in data.lines})}
        lines = []
        for index, line in enumerate(data.lines):
            item = items.get(line.item)
            if item is None:
                errors[f"lines[{index}].item"] = [_("There is no item with the code “%(code)s”.") % {"code": line.item}]
                continue
            unit = None
            if line.unit is not None:
                unit = units.get(line.unit)
                if unit is None:
                    errors[f"lines[{index}].unit"] = [
                        _("There is no unit with the code “%(code)s”.") % {"code": line.unit}
                    ]
                    continue
            lines.append(
                {
                    "item": item,
                    "unit": unit,
                    **{
                        name: getattr(line, name)
                        for name in ("min_quantity", "unit_price", "tax_rate", "valid_from", "valid_until")
                    },
                }
            )
    if errors:
        raise ValidationError(errors)
    version, updated_at = source_of(data)
    return price_list_upsert(
        actor=actor,
        company=company,
        code=data.code,
        values=values,
        lines=lines,
        source_version=version,
        source_updated_at=updated_at,
        request=request,
    )


def _apply_customer_group(*, actor, data: CustomerGroupIn, context, request):
    company = _company(actor, data.company)
    values = {name: getattr(data, name) for name in ("name", "name_en") if name in data.model_fields_set}
    members = None
    if data.members is not None:
        partners = {partner.uuid: partner for partner in Partner.objects.filter(uuid__in=data.members)}
        missing = {
            f"members[{index}]": [_("There is no partner with this id.")]
            for index, member in enumerate(data.members)
            if member not in partners
        }
        if missing:
            raise ValidationError(missing)
        members = [partners[member] for member in dict.fromkeys(data.members)]
    return customer_group_upsert(
        actor=actor, company=company, code=data.code, values=values, members=members, request=request
    )


PRICE_LISTS = Collection("price-lists", PriceListIn, ("company", "code"), _apply_price_list)
CUSTOMER_GROUPS = Collection("customer-groups", CustomerGroupIn, ("company", "code"), _apply_customer_group)

PriceListBatch = batch_schema(PriceListIn)
CustomerGroupBatch = batch_schema(CustomerGroupIn)


@router.post("/price-lists/batch", response=BATCH_RESPONSES)
def price_lists_batch(request: HttpRequest, payload: PriceListBatch):
    """Create or change up to 1000 price lists (customer groups first, see /customer-groups/batch)."""
    return batch_write(request, PRICE_LISTS, payload.objects)


@router.post("/customer-groups/batch", response=BATCH_RESPONSES)
def customer_groups_batch(request: HttpRequest, payload: CustomerGroupBatch):
    """Create or change up to 1000 customer groups."""
    return batch_write(request, CUSTOMER_GROUPS, payload.objects)


def _readable(request: HttpRequest):
    require_scope(request, SCOPE_READ)
    lines = PriceListLine.objects.select_related("item", "unit").order_by("item__code", "unit__code", "min_quantity")
    return (
        PriceList.objects.visible_to(request.auth)
        .select_related("company", "customer_group", "customer")
        .prefetch_related(Prefetch("lines", queryset=lines, to_attr="sorted_lines"))
    )


@router.get("/price-lists", response={200: PriceListPage, **PROBLEMS})
def list_price_lists(
    request: HttpRequest,
    company: str | None = None,
    code: str | None = None,
    updated_since: AwareDatetime | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = None,
):
    """The price lists this client may read, in id order, with their lines; `updated_since` compares the
    portal's last change of the list's header."""
    queryset = _readable(request)
    if company is not None:
        queryset = queryset.filter(company__code=path_key(company))
    if code is not None:
        queryset = queryset.filter(code=path_key(code))
    rows, next_cursor = page(
        queryset, updated_since=updated_since, updated_field="updated_at", cursor=cursor, limit=limit
    )
    return {"results": [price_list_payload(row, row.sorted_lines) for row in rows], "next_cursor": next_cursor}


@router.get("/price-lists/{company}/{code}", response={200: PriceListOut, **PROBLEMS}, url_name="price_list")
def get_price_list(request: HttpRequest, company: str, code: str):
    found = _readable(request).filter(company__code=path_key(company), code=path_key(code)).first()
    if found is None:
        raise Http404
    return price_list_payload(found, found.sorted_lines)


@router.put("/price-lists/{company}/{code}", response=WRITE_RESPONSES, url_name="price_list")
def put_price_list(request: HttpRequest, company: str, code: str, payload: PriceListIn):
    """Create or change one price list; its `lines`, when given, replace the list's lines."""
    return single_write(request, PRICE_LISTS, body_with_key(payload, company=company, code=code))
