"""Applying the organisation master data that the ERP sends (companies, sites, warehouses, partners with their
accounts, addresses and invoicing details, exchange rates), newer wins, through `upsert_row`.

Who may write what (the actor is an API client, or a user for imports; `scope_of` tells them apart):
- companies: a group-wide actor creates and changes any; a company's own client changes its company only and
  creates none;
- sites, warehouses and exchange rates: a company client only for its company; group reference rates (no
  company) only group-wide actors;
- partners are group-wide records: a company client may create a new partner or change one that already has an
  account with its company, may write only its own company's accounts and addresses, and may not change a
  partner's status (the group approves and blocks partners).
A refusal raises PermissionDenied before anything is written; invalid input raises ValidationError naming the
field (`supplier_accounts[0].company`). Every change is audited; a partner that changed (itself or anything
nested) emits one `partner.changed` event carrying the whole partner and the sorted list of what changed.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.integration.outbox import emit
from portal.integration.sync import Applied, audit_applied, upsert_row

from .access import scope_of
from .models import (
    PARTNER_TRANSITIONS,
    Company,
    CustomerAccount,
    ExchangeRate,
    InvoicingDetails,
    Partner,
    PartnerAddress,
    PartnerStatus,
    Site,
    SupplierAccount,
    Warehouse,
)
from .payloads import partner_payload


def _audit(actor: Any, applied: Applied, kind: str, values: dict[str, Any], request: Any, **owners: Any) -> None:
    audit_applied(actor=actor, applied=applied, kind=kind, created=values, request=request, **owners)


def _company_for_write(actor: Any, code: str | None, field: str = "company") -> Company | None:
    """The company an actor writes for: its own (company clients), any (group-wide); None for the group."""
    scope = scope_of(actor)
    if code is None:
        if not scope.is_group:
            raise PermissionDenied(_("Only a group-wide client may write group-wide data."))
        return None
    if scope.is_group:
        company = Company.objects.filter(code=code).first()
        if company is None:
            raise ValidationError({field: _("There is no company %(code)s.") % {"code": code}})
        return company
    company = Company.objects.filter(pk__in=scope.company_ids, code=code).first()
    if company is None:
        raise PermissionDenied(_("This client may only write the data of its own company."))
    return company


def company_upsert(
    *,
    actor: Any,
    code: str,
    values: dict[str, Any],
    source_version: int | None = None,
    source_updated_at: datetime | None = None,
    request: Any = None,
) -> Applied:
    """Create or change a company (name, name_en, currency, ledger_code, time_zone, is_active)."""
    scope = scope_of(actor)
    with transaction.atomic():
        if not scope.is_group and not Company.objects.filter(pk__in=scope.company_ids, code=code).exists():
            raise PermissionDenied(_("Only a group-wide client may create a company or change another one."))
        applied = upsert_row(
            Company, {"code": code}, values, source_version=source_version, source_updated_at=source_updated_at
        )
        _audit(actor, applied, "company", {"code": code, **values}, request, company=applied.obj)
    return applied


def site_upsert(
    *,
    actor: Any,
    company_code: str,
    code: str,
    values: dict[str, Any],
    source_version: int | None = None,
    source_updated_at: datetime | None = None,
    request: Any = None,
) -> Applied:
    """Create or change a site of a company (name, address)."""
    with transaction.atomic():
        company = _company_for_write(actor, company_code)
        applied = upsert_row(
            Site,
            {"company": company, "code": code},
            values,
            source_version=source_version,
            source_updated_at=source_updated_at,
        )
        _audit(actor, applied, "site", {"code": code, **values}, request, company=company)
    return applied


def warehouse_upsert(
    *,
    actor: Any,
    company_code: str,
    code: str,
    values: dict[str, Any],
    source_version: int | None = None,
    source_updated_at: datetime | None = None,
    request: Any = None,
) -> Applied:
    """Create or change a warehouse of a company (name, and `site` as the code of one of its sites, or None)."""
    values = dict(values)
    with transaction.atomic():
        company = _company_for_write(actor, company_code)
        if values.get("site") is not None:
            site = Site.objects.filter(company=company, code=values["site"]).first()
            if site is None:
                raise ValidationError(
                    {"site": _("%(company)s has no site %(code)s.") % {"company": company_code, "code": values["site"]}}
                )
            values["site"] = site
        applied = upsert_row(
            Warehouse,
            {"company": company, "code": code},
            values,
            source_version=source_version,
            source_updated_at=source_updated_at,
        )
        _audit(actor, applied, "warehouse", {"code": code, **values}, request, company=company)
    return applied


def exchange_rate_upsert(
    *,
    actor: Any,
    company_code: str | None,
    base: str,
    quote: str,
    valid_on: date,
    rate: Decimal,
    source_version: int | None = None,
    source_updated_at: datetime | None = None,
    request: Any = None,
) -> Applied:
    """Record a company's rate (or, company None, the group's reference rate) of `base` in `quote` on a day."""
    if base == quote:
        raise ValidationError({"quote": _("The two currencies must differ.")})
    with transaction.atomic():
        company = _company_for_write(actor, company_code)
        applied = upsert_row(
            ExchangeRate,
            {"company": company, "base": base, "quote": quote, "valid_on": valid_on},
            {"rate": rate},
            source_version=source_version,
            source_updated_at=source_updated_at,
        )
        values = {"base": base, "quote": quote, "valid_on": valid_on, "rate": rate}
        _audit(actor, applied, "exchange_rate", values, request, company=company)
    return applied


def _prefixed(error: ValidationError, prefix: str) -> ValidationError:
    if hasattr(error, "error_dict"):
        return ValidationError(
            {
                (prefix if name == "__all__" else f"{prefix}.{name}"): messages
                for name, messages in error.message_dict.items()
            }
        )
    return ValidationError({prefix: error.messages})


def _check_partner_access(
    actor: Any,
    existing: Partner | None,
    values: dict[str, Any],
    account_companies: list[str],
    address_companies: list[str],
) -> None:
    scope = scope_of(actor)
    if scope.is_group:
        return
    if existing is not None and not (
        existing.supplier_accounts.filter(company_id__in=scope.company_ids).exists()
        or existing.customer_accounts.filter(company_id__in=scope.company_ids).exists()
    ):
        raise PermissionDenied(_("This client may only change partners that have an account with its company."))
    current_status = existing.status if existing is not None else PartnerStatus.PENDING
    if "status" in values and values["status"] != current_status:
        raise PermissionDenied(_("Only the group may approve or block a partner."))
    own_codes = set(Company.objects.filter(pk__in=scope.company_ids).values_list("code", flat=True))
    if any(code not in own_codes for code in account_companies):
        raise PermissionDenied(_("This client may only write the accounts of its own company."))
    if any(code is not None and code not in own_codes for code in address_companies):
        raise PermissionDenied(_("This client may only write the addresses of its own company."))


def _companies_by_code(codes: set[str]) -> dict[str, Company]:
    return {company.code: company for company in Company.objects.filter(code__in=codes)}


def partner_upsert(
    *,
    actor: Any,
    tax_id: str,
    values: dict[str, Any],
    supplier_accounts: list[dict[str, Any]] | None = None,
    customer_accounts: list[dict[str, Any]] | None = None,
    addresses: list[dict[str, Any]] | None = None,
    invoicing: dict[str, Any] | None = None,
    source_version: int | None = None,
    source_updated_at: datetime | None = None,
    request: Any = None,
) -> Applied:
    """Create or change a partner and, when given, its accounts (each keyed by `company` code), addresses (keyed by
    `code`, `company` a code or None) and invoicing details. Accounts and addresses not sent are left as they
    are (send `is_active: false` to retire one). `values` may hold name, name_en, country, address,
    is_supplier, is_customer, status."""
    values = dict(values)
    supplier_accounts = supplier_accounts or []
    customer_accounts = customer_accounts or []
    addresses = addresses or []
    account_codes = [account.get("company") for account in [*supplier_accounts, *customer_accounts]]
    address_codes = [address.get("company") for address in addresses]
    with transaction.atomic():
        existing = Partner.objects.select_for_update().filter(tax_id=tax_id).first()
        _check_partner_access(actor, existing, values, account_codes, address_codes)
        if existing is not None and existing.is_newer_than(source_version, source_updated_at):
            return Applied(obj=existing, stale=True)
        if existing is not None and values.get("status", existing.status) != existing.status:
            if values["status"] not in PARTNER_TRANSITIONS.get(existing.status, set()):
                raise ValidationError(
                    {"status": _("A partner that is %(current)s cannot become %(new)s.")
                     % {"current": existing.status, "new": values["status"]}}
                )  # fmt: skip
        companies = _companies_by_code({code for code in [*account_codes, *address_codes] if code})
        if existing is None:
            # A new partner is on the sides its accounts say, unless the ERP says otherwise.
            values.setdefault("is_supplier", bool(supplier_accounts))
            values.setdefault("is_customer", bool(customer_accounts))
        is_supplier = values.get("is_supplier", existing.is_supplier if existing else False)
        is_customer = values.get("is_customer", existing.is_customer if existing else False)
        if not (is_supplier or is_customer):
            raise ValidationError({"is_supplier": _("A partner is a supplier, a customer or both.")})

        versions = {"source_version": source_version, "source_updated_at": source_updated_at}
        applied = upsert_row(Partner, {"tax_id": tax_id}, values, **versions)
        partner = applied.obj
        changed = set(values) if applied.created else set(applied.changes)
        for name, model, accounts in (
            ("supplier_accounts", SupplierAccount, supplier_accounts),
            ("customer_accounts", CustomerAccount, customer_accounts),
        ):
            for position, account in enumerate(accounts):
                if _upsert_account(actor, partner, model, account, companies, f"{name}[{position}]", versions, request):
                    changed.add(name)
        for position, address in enumerate(addresses):
            if _upsert_address(actor, partner, address, companies, f"addresses[{position}]", versions, request):
                changed.add("addresses")
        if invoicing is not None:
            try:
                details = upsert_row(InvoicingDetails, {"partner": partner}, dict(invoicing), **versions)
            except ValidationError as error:
                raise _prefixed(error, "invoicing") from error
            _audit(actor, details, "invoicing_details", dict(invoicing), request, partner=partner)
            if details.changed:
                changed.add("invoicing")

        if changed:
            if applied.changed:
                _audit(actor, applied, "partner", {"tax_id": tax_id, **values}, request, partner=partner)
            if "status" in applied.changes:
                # The ERP approved or blocked the partner: the same event as when the group does it in the portal.
                previous = applied.changes["status"][0]
                emit(f"partner.{partner.status}", partner_payload(partner) | {"previous_status": previous}, obj=partner)
                changed.discard("status")
            if changed:
                emit("partner.changed", _partner_event(partner, changed), obj=partner)
    return applied


def _partner_event(partner: Partner, changed: set[str]) -> dict[str, Any]:
    return partner_payload(partner) | {"changed": sorted(changed)}


def _upsert_account(
    actor: Any,
    partner: Partner,
    model: type[SupplierAccount] | type[CustomerAccount],
    account: dict[str, Any],
    companies: dict[str, Company],
    prefix: str,
    versions: dict[str, Any],
    request: Any,
) -> bool:
    code = account.get("company")
    company = companies.get(code or "")
    if company is None:
        raise ValidationError({f"{prefix}.company": _("There is no company %(code)s.") % {"code": code}})
    values = {name: value for name, value in account.items() if name != "company"}
    erp_number = values.get("erp_number")
    if erp_number and model.objects.filter(company=company, erp_number=erp_number).exclude(partner=partner).exists():
        raise ValidationError(
            {f"{prefix}.erp_number": _("%(company)s already uses the number %(number)s for another partner.")
             % {"company": code, "number": erp_number}}
        )  # fmt: skip
    try:
        applied = upsert_row(model, {"partner": partner, "company": company}, values, **versions)
    except ValidationError as error:
        raise _prefixed(error, prefix) from error
    kind = "supplier_account" if model is SupplierAccount else "customer_account"
    _audit(actor, applied, kind, account, request, partner=partner, company=company)
    return applied.changed


def _upsert_address(
    actor: Any,
    partner: Partner,
    address: dict[str, Any],
    companies: dict[str, Company],
    prefix: str,
    versions: dict[str, Any],
    request: Any,
) -> bool:
    values = {name: value for name, value in address.items() if name != "code"}
    code = values.get("company")
    if code is not None:
        values["company"] = companies.get(code)
        if values["company"] is None:
            raise ValidationError({f"{prefix}.company": _("There is no company %(code)s.") % {"code": code}})
    try:
        applied = upsert_row(PartnerAddress, {"partner": partner, "code": address.get("code")}, values, **versions)
    except ValidationError as error:
        raise _prefixed(error, prefix) from error
    _audit(actor, applied, "partner_address", address, request, partner=partner)
    return applied.changed
