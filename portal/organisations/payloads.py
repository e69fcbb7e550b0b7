"""How the ERP sees a partner in webhook payloads and in the API: one representation, one place."""

from __future__ import annotations

from typing import Any

from .models import Partner


def account_payload(account: Any) -> dict[str, Any]:
    data = {
        "company": account.company.code,
        "erp_number": account.erp_number,
        "payment_terms": account.payment_terms,
        "currency": account.currency,
        "is_active": account.is_active,
    }
    if hasattr(account, "credit_limit"):
        data["credit_limit"] = account.credit_limit
    return data


def address_payload(address: Any) -> dict[str, Any]:
    return {
        "code": address.code,
        "kind": address.kind,
        "company": address.company.code if address.company_id else None,
        "name": address.name,
        "contact_name": address.contact_name,
        "phone": address.phone,
        "country": address.country,
        "province": address.province,
        "city": address.city,
        "district": address.district,
        "street": address.street,
        "postal_code": address.postal_code,
        "is_default": address.is_default,
        "is_active": address.is_active,
    }


def invoicing_payload(details: Any) -> dict[str, Any] | None:
    if details is None:
        return None
    return {
        "invoice_title": details.invoice_title,
        "tax_id": details.tax_id,
        "registered_address": details.registered_address,
        "phone": details.phone,
        "bank_name": details.bank_name,
        "bank_account": details.bank_account,
    }


def partner_payload(partner: Partner) -> dict[str, Any]:
    """The whole partner: identity, status, per-company accounts, addresses and invoicing details."""
    details = getattr(partner, "invoicing_details", None) if _has_invoicing(partner) else None
    return {
        "id": str(partner.uuid),
        "tax_id": partner.tax_id,
        "name": partner.name,
        "name_en": partner.name_en,
        "country": partner.country,
        "address": partner.address,
        "is_supplier": partner.is_supplier,
        "is_customer": partner.is_customer,
        "status": partner.status,
        "supplier_accounts": [
            account_payload(a) for a in partner.supplier_accounts.select_related("company").order_by("company__code")
        ],
        "customer_accounts": [
            account_payload(a) for a in partner.customer_accounts.select_related("company").order_by("company__code")
        ],
        "addresses": [address_payload(a) for a in partner.addresses.select_related("company").order_by("code")],
        "invoicing": invoicing_payload(details),
        "source_version": partner.source_version,
    }


def _has_invoicing(partner: Partner) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        partner.invoicing_details  # noqa: B018 — a reverse one-to-one raises when there is none
    except ObjectDoesNotExist:
        return False
    return True
