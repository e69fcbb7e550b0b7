"""/api/v1/ for the organisation master data: companies, sites, warehouses, partners, exchange rates.

Reads need `masterdata:read`, writes `masterdata:write`; what a company-bound client may touch is decided in
portal.organisations.upserts (writes) and by `visible_to` (reads): its own company, its sites and warehouses,
and the partners that have an account with it — shown with its own accounts and addresses only.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import AwareDatetime

from portal.organisations.access import get_object_for_user, scope_of
from portal.organisations.models import Company, ExchangeRate, Partner, PartnerStatus, Site, Warehouse
from portal.organisations.payloads import partner_payload
from portal.organisations.upserts import (
    company_upsert,
    exchange_rate_upsert,
    partner_upsert,
    site_upsert,
    warehouse_upsert,
)

from .problems import PROBLEM_STATUSES, Problem
from .reading import DEFAULT_LIMIT, MAX_LIMIT, page, path_key
from .upserting import (
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
    values_of,
)

router = Router(tags=["organisations"])
PROBLEMS: dict[int, Any] = dict.fromkeys(PROBLEM_STATUSES, Problem)
MONEY = {"max_digits": 20, "decimal_places": 2}


# --- what the ERP sends ------------------------------------------------------------------------------------------


class CompanyIn(UpsertIn):
    code: str = Field(None, description="Required in a batch; in the path of a PUT.")
    name: str = ""
    name_en: str = ""
    currency: str = ""
    ledger_code: str = ""
    time_zone: str = ""
    is_active: bool = True


class SiteIn(UpsertIn):
    company: str = Field(None, description="The company's code. Required in a batch; in the path of a PUT.")
    code: str = Field(None, description="Required in a batch; in the path of a PUT.")
    name: str = ""
    address: str = ""


class WarehouseIn(UpsertIn):
    company: str = Field(None, description="The company's code. Required in a batch; in the path of a PUT.")
    code: str = Field(None, description="Required in a batch; in the path of a PUT.")
    name: str = ""
    site: str | None = Field(None, description="The code of one of the company's sites, or null.")


class AccountIn(CleanSchema):
    company: str = Field(..., description="The code of the company this account is with.")
    erp_number: str = ""
    payment_terms: str = ""
    currency: str = ""
    is_active: bool = True


class CustomerAccountIn(AccountIn):
    credit_limit: Decimal = Field(Decimal("0"), ge=0, **MONEY)


class AddressIn(CleanSchema):
    code: str = Field(..., description="The ERP's address code, unique per partner.")
    kind: Literal["ship_to", "bill_to", "pickup"] = "ship_to"
    company: str | None = Field(None, description="Only for orders with this company; null for every company.")
    name: str = ""
    contact_name: str = ""
    phone: str = ""
    country: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    postal_code: str = ""
    is_default: bool = False
    is_active: bool = True


class InvoicingIn(CleanSchema):
    """开票信息."""

    invoice_title: str = ""
    tax_id: str = ""
    registered_address: str = ""
    phone: str = ""
    bank_name: str = ""
    bank_account: str = ""


class PartnerIn(UpsertIn):
    tax_id: str = Field(None, description="The unified social credit code. Required in a batch; in a PUT's path.")
    name: str = ""
    name_en: str = ""
    country: str = ""
    address: str = ""
    is_supplier: bool = False
    is_customer: bool = False
    status: PartnerStatus = Field(PartnerStatus.PENDING, description="Group-wide clients only.")
    supplier_accounts: list[AccountIn] = []
    customer_accounts: list[CustomerAccountIn] = []
    addresses: list[AddressIn] = []
    invoicing: InvoicingIn | None = None


class ExchangeRateIn(UpsertIn):
    company: str | None = Field(..., description="The company's code, or null for the group's reference rate.")
    base: str = Field(..., description="ISO 4217 code of the currency priced.")
    quote: str = Field(..., description="ISO 4217 code of the currency it is priced in.")
    valid_on: date
    rate: Decimal = Field(..., gt=0, max_digits=20, decimal_places=8)


# --- what the API answers ----------------------------------------------------------------------------------------


class CompanyOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    name_en: str
    currency: str
    ledger_code: str
    time_zone: str
    is_active: bool
    source_version: int | None


class SiteOut(Schema):
    id: uuid.UUID
    company: str
    code: str
    name: str
    address: str
    source_version: int | None


class WarehouseOut(Schema):
    id: uuid.UUID
    company: str
    code: str
    name: str
    site: str | None
    source_version: int | None


class AccountOut(Schema):
    company: str
    erp_number: str
    payment_terms: str
    currency: str
    is_active: bool


class CustomerAccountOut(AccountOut):
    credit_limit: Decimal


class AddressOut(Schema):
    code: str
    kind: str
    company: str | None
    name: str
    contact_name: str
    phone: str
    country: str
    province: str
    city: str
    district: str
    street: str
    postal_code: str
    is_default: bool
    is_active: bool


class InvoicingOut(Schema):
    invoice_title: str
    tax_id: str
    registered_address: str
    phone: str
    bank_name: str
    bank_account: str


class PartnerOut(Schema):
    """The partner as `partner_payload` describes it (also in webhooks)."""

    id: uuid.UUID
    tax_id: str
    name: str
    name_en: str
    country: str
    address: str
    is_supplier: bool
    is_customer: bool
    status: str
    supplier_accounts: list[AccountOut]
    customer_accounts: list[CustomerAccountOut]
    addresses: list[AddressOut]
    invoicing: InvoicingOut | None
    source_version: int | None


class PartnerPage(Schema):
    results: list[PartnerOut]
    next_cursor: str | None


class ExchangeRateOut(Schema):
    id: uuid.UUID
    company: str | None
    base: str
    quote: str
    valid_on: date
    rate: Decimal
    source_version: int | None


class ExchangeRatePage(Schema):
    results: list[ExchangeRateOut]
    next_cursor: str | None


def company_payload(company: Company) -> dict[str, Any]:
    return {
        "id": company.uuid,
        "code": company.code,
        "name": company.name,
        "name_en": company.name_en,
        "currency": company.currency,
        "ledger_code": company.ledger_code,
        "time_zone": company.time_zone,
        "is_active": company.is_active,
        "source_version": company.source_version,
    }


def site_payload(site: Site) -> dict[str, Any]:
    return {
        "id": site.uuid,
        "company": site.company.code,
        "code": site.code,
        "name": site.name,
        "address": site.address,
        "source_version": site.source_version,
    }


def warehouse_payload(warehouse: Warehouse) -> dict[str, Any]:
    return {
        "id": warehouse.uuid,
        "company": warehouse.company.code,
        "code": warehouse.code,
        "name": warehouse.name,
        "site": warehouse.site.code if warehouse.site_id else None,
        "source_version": warehouse.source_version,
    }


def exchange_rate_payload(rate: ExchangeRate) -> dict[str, Any]:
    return {
        "id": rate.uuid,
        "company": rate.company.code if rate.company_id else None,
        "base": rate.base,
        "quote": rate.quote,
        "valid_on": rate.valid_on,
        "rate": rate.rate,
        "source_version": rate.source_version,
    }


def partner_view(actor: Any, partner: Partner) -> dict[str, Any]:
    """partner_payload, without other companies' accounts and addresses for a company-bound client."""
    payload = partner_payload(partner)
    scope = scope_of(actor)
    if scope.is_group:
        return payload
    own = set(Company.objects.filter(pk__in=scope.company_ids).values_list("code", flat=True))
    return payload | {
        "supplier_accounts": [a for a in payload["supplier_accounts"] if a["company"] in own],
        "customer_accounts": [a for a in payload["customer_accounts"] if a["company"] in own],
        "addresses": [a for a in payload["addresses"] if a["company"] is None or a["company"] in own],
    }


# --- collections -------------------------------------------------------------------------------------------------


def _apply_company(*, actor, data: CompanyIn, context, request):
    version, updated_at = source_of(data)
    return company_upsert(
        actor=actor,
        code=data.code,
        values=values_of(data, exclude=["code"]),
        source_version=version,
        source_updated_at=updated_at,
        request=request,
    )


def _apply_site(*, actor, data: SiteIn, context, request):
    version, updated_at = source_of(data)
    return site_upsert(
        actor=actor,
        company_code=data.company,
        code=data.code,
        values=values_of(data, exclude=["company", "code"]),
        source_version=version,
        source_updated_at=updated_at,
        request=request,
    )


def _apply_warehouse(*, actor, data: WarehouseIn, context, request):
    version, updated_at = source_of(data)
    return warehouse_upsert(
        actor=actor,
        company_code=data.company,
        code=data.code,
        values=values_of(data, exclude=["company", "code"]),
        source_version=version,
        source_updated_at=updated_at,
        request=request,
    )


def _apply_partner(*, actor, data: PartnerIn, context, request):
    version, updated_at = source_of(data)
    nested = ("supplier_accounts", "customer_accounts", "addresses", "invoicing")
    sent = data.model_dump(exclude_unset=True)
    return partner_upsert(
        actor=actor,
        tax_id=data.tax_id,
        values=values_of(data, exclude=["tax_id", *nested]),
        supplier_accounts=sent.get("supplier_accounts"),
        customer_accounts=sent.get("customer_accounts"),
        addresses=sent.get("addresses"),
        invoicing=sent.get("invoicing"),
        source_version=version,
        source_updated_at=updated_at,
        request=request,
    )


def _apply_exchange_rate(*, actor, data: ExchangeRateIn, context, request):
    version, updated_at = source_of(data)
    return exchange_rate_upsert(
        actor=actor,
        company_code=data.company,
        base=data.base,
        quote=data.quote,
        valid_on=data.valid_on,
        rate=data.rate,
        source_version=version,
        source_updated_at=updated_at,
        request=request,
    )


COMPANIES = Collection("companies", CompanyIn, ("code",), _apply_company)
SITES = Collection("sites", SiteIn, ("company", "code"), _apply_site)
WAREHOUSES = Collection("warehouses", WarehouseIn, ("company", "code"), _apply_warehouse)
PARTNERS = Collection("partners", PartnerIn, ("tax_id",), _apply_partner)
EXCHANGE_RATES = Collection(
    "exchange-rates", ExchangeRateIn, ("company", "base", "quote", "valid_on"), _apply_exchange_rate
)

CompanyBatch = batch_schema(CompanyIn)
SiteBatch = batch_schema(SiteIn)
WarehouseBatch = batch_schema(WarehouseIn)
PartnerBatch = batch_schema(PartnerIn)
ExchangeRateBatch = batch_schema(ExchangeRateIn)
BATCH_RESPONSES = {200: BatchResults, **PROBLEMS}
WRITE_RESPONSES = {200: UpsertResult, **PROBLEMS}


# Batch routes come first: /companies/batch must not be read as the company "batch".
@router.post("/companies/batch", response=BATCH_RESPONSES)
def companies_batch(request: HttpRequest, payload: CompanyBatch):
    """Create or change up to 1000 companies (group-wide clients; a company client only its own)."""
    return batch_write(request, COMPANIES, payload.objects)


@router.post("/sites/batch", response=BATCH_RESPONSES)
def sites_batch(request: HttpRequest, payload: SiteBatch):
    """Create or change up to 1000 sites, keyed by company code and site code."""
    return batch_write(request, SITES, payload.objects)


@router.post("/warehouses/batch", response=BATCH_RESPONSES)
def warehouses_batch(request: HttpRequest, payload: WarehouseBatch):
    """Create or change up to 1000 warehouses, keyed by company code and warehouse code."""
    return batch_write(request, WAREHOUSES, payload.objects)


@router.post("/partners/batch", response=BATCH_RESPONSES)
def partners_batch(request: HttpRequest, payload: PartnerBatch):
    """Create or change up to 1000 partners (keyed by tax id) with their accounts, addresses and invoicing."""
    return batch_write(request, PARTNERS, payload.objects)


@router.post("/exchange-rates/batch", response=BATCH_RESPONSES)
def exchange_rates_batch(request: HttpRequest, payload: ExchangeRateBatch):
    """Record up to 1000 exchange rates, keyed by company (or null), base, quote and day."""
    return batch_write(request, EXCHANGE_RATES, payload.objects)


@router.post("/exchange-rates", response=WRITE_RESPONSES)
def exchange_rate_put(request: HttpRequest, payload: ExchangeRateIn):
    """Record one exchange rate."""
    return single_write(request, EXCHANGE_RATES, payload.model_dump(mode="json", exclude_unset=True))


@router.get("/exchange-rates", response={200: ExchangeRatePage, **PROBLEMS})
def list_exchange_rates(
    request: HttpRequest,
    updated_since: AwareDatetime | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = None,
):
    """The rates this client may see: its company's and the group's reference rates."""
    require_scope(request, SCOPE_READ)
    scope = scope_of(request.auth)
    rates = ExchangeRate.objects.select_related("company")
    if not scope.is_group:
        rates = rates.filter(Q(company_id__in=scope.company_ids) | Q(company__isnull=True))
    rows, next_cursor = page(
        rates, updated_since=updated_since, updated_field="source_updated_at", cursor=cursor, limit=limit
    )
    return {"results": [exchange_rate_payload(rate) for rate in rows], "next_cursor": next_cursor}


@router.get("/companies", response={200: list[CompanyOut], **PROBLEMS})
def list_companies(request: HttpRequest, updated_since: AwareDatetime | None = None):
    """The companies this client may see (all, for a group-wide client); a plain list, as there are few."""
    require_scope(request, SCOPE_READ)
    rows, _next = page(
        Company.objects.visible_to(request.auth),
        updated_since=updated_since,
        updated_field="source_updated_at",
        cursor=None,
        limit=MAX_LIMIT,
    )
    return [company_payload(company) for company in rows]


@router.get("/companies/{code}", response={200: CompanyOut, **PROBLEMS}, url_name="company")
def get_company(request: HttpRequest, code: str):
    require_scope(request, SCOPE_READ)
    company = Company.objects.visible_to(request.auth).filter(code=path_key(code)).first()
    if company is None:
        raise Http404
    return company_payload(company)


@router.put("/companies/{code}", response=WRITE_RESPONSES, url_name="company")
def put_company(request: HttpRequest, code: str, payload: CompanyIn):
    """Create or change one company."""
    return single_write(request, COMPANIES, body_with_key(payload, code=code))


@router.get("/companies/{company}/sites/{code}", response={200: SiteOut, **PROBLEMS}, url_name="site")
def get_site(request: HttpRequest, company: str, code: str):
    require_scope(request, SCOPE_READ)
    site = (
        Site.objects.visible_to(request.auth)
        .select_related("company")
        .filter(company__code=path_key(company), code=path_key(code))
        .first()
    )
    if site is None:
        raise Http404
    return site_payload(site)


@router.put("/companies/{company}/sites/{code}", response=WRITE_RESPONSES, url_name="site")
def put_site(request: HttpRequest, company: str, code: str, payload: SiteIn):
    """Create or change one site of a company."""
    return single_write(request, SITES, body_with_key(payload, company=company, code=code))


@router.get("/companies/{company}/warehouses/{code}", response={200: WarehouseOut, **PROBLEMS}, url_name="warehouse")
def get_warehouse(request: HttpRequest, company: str, code: str):
    require_scope(request, SCOPE_READ)
    warehouse = (
        Warehouse.objects.visible_to(request.auth)
        .select_related("company", "site")
        .filter(company__code=path_key(company), code=path_key(code))
        .first()
    )
    if warehouse is None:
        raise Http404
    return warehouse_payload(warehouse)


@router.put("/companies/{company}/warehouses/{code}", response=WRITE_RESPONSES, url_name="warehouse")
def put_warehouse(request: HttpRequest, company: str, code: str, payload: WarehouseIn):
    """Create or change one warehouse of a company."""
    return single_write(request, WAREHOUSES, body_with_key(payload, company=company, code=code))


@router.get("/partners", response={200: PartnerPage, **PROBLEMS})
def list_partners(
    request: HttpRequest,
    updated_since: AwareDatetime | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = None,
):
    """The partners this client may see, `updated_since` on the ERP's last `updated_at` that was applied."""
    require_scope(request, SCOPE_READ)
    rows, next_cursor = page(
        Partner.objects.visible_to(request.auth),
        updated_since=updated_since,
        updated_field="source_updated_at",
        cursor=cursor,
        limit=limit,
    )
    return {"results": [partner_view(request.auth, partner) for partner in rows], "next_cursor": next_cursor}


@router.get("/partners/{partner_id}", response={200: PartnerOut, **PROBLEMS}, url_name="get_partner")
def get_partner(request: HttpRequest, partner_id: str):
    """One partner, by its id (UUID) or its tax id."""
    require_scope(request, SCOPE_READ)
    try:
        uuid.UUID(partner_id)
    except ValueError:
        partner = Partner.objects.visible_to(request.auth).filter(tax_id=path_key(partner_id)).first()
        if partner is None:
            raise Http404 from None
    else:
        partner = get_object_for_user(Partner, request.auth, partner_id)
    return partner_view(request.auth, partner)


@router.put("/partners/{partner_id}", response=WRITE_RESPONSES, url_name="get_partner")
def put_partner(request: HttpRequest, partner_id: str, payload: PartnerIn):
    """Create or change one partner, keyed by its tax id (`partner_id` is the tax id here)."""
    return single_write(request, PARTNERS, body_with_key(payload, tax_id=partner_id))
