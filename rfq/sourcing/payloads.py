"""What the ERP receives about sourcing (outbox events and the API). Bid payloads never carry prices, lead times,
comments or attachments: a bid's content leaves the seal only at its round's opening.

Each function reads what the caller prefetched (`rounds`, `lines` with their item, unit and site, an award's `lines`
with their RFQ line and supplier) and queries it otherwise, so a list of many RFQs or awards costs a constant number
of queries when prefetched, and an event costs a handful.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from portal.organisations.models import SupplierAccount

from .models import Award, Bid, Rfq

CENT = Decimal("0.01")


def _prefetched(obj: Any, name: str) -> list[Any] | None:
    cache = getattr(obj, "_prefetched_objects_cache", {})
    return list(cache[name]) if name in cache else None


def _line(line) -> dict[str, Any]:
    return {
        "id": line.uuid,
        "position": line.position,
        "item": line.item.code if line.item_id else None,
        "description": line.description,
        "quantity": line.quantity,
        "unit": line.unit.code,
        "need_by": line.need_by,
        "site": line.site.code if line.site_id else None,
        # staff only: the ERP is the buyer's side
        "last_price": line.last_price,
        "target_price": line.target_price,
    }


def erp_numbers_of(company: Any, partner_ids: Any) -> dict[int, str]:
    """{partner id: the ERP's vendor number with this company} for the given suppliers (one query)."""
    company_id = getattr(company, "pk", company)
    return dict(
        SupplierAccount.objects.filter(company_id=company_id, partner_id__in=list(partner_ids)).values_list(
            "partner_id", "erp_number"
        )
    )


def rfq_payload(rfq: Rfq) -> dict[str, Any]:
    rounds = _prefetched(rfq, "rounds")
    if rounds is None:
        current = rfq.rounds.order_by("-number").first()
    else:
        current = max(rounds, key=lambda round: round.number, default=None)
    lines = _prefetched(rfq, "lines")
    if lines is None:
        lines = list(rfq.lines.select_related("item", "unit", "site"))
    return {
        "id": rfq.uuid,
        "number": rfq.number,
        "title": rfq.title,
        "company": rfq.company.code,
        "status": rfq.status,
        "version": rfq.version,
        "currency": rfq.currency,
        "round": current.number if current else None,
        "deadline": current.deadline if current else None,
        "lines": [_line(line) for line in sorted(lines, key=lambda line: line.position)],
    }


def bid_status_payload(bid: Bid, *, erp_number: str | None = None) -> dict[str, Any]:
    """Who bid in which round, its status, version and time: never its content. `erp_number`: the supplier's
    vendor number with the RFQ's company when the caller has it (else looked up)."""
    current = bid.current
    rfq = bid.round.rfq
    if erp_number is None:
        erp_number = erp_numbers_of(rfq.company_id, [bid.supplier_id]).get(bid.supplier_id, "")
    return {
        "id": bid.uuid,
        "rfq": rfq.number,
        "round": bid.round.number,
        "supplier": {
            "id": bid.supplier.uuid,
            "tax_id": bid.supplier.tax_id,
            "name": bid.supplier.name,
            "erp_number": erp_number,
        },
        "status": bid.status,
        "version": current.version if current else None,
        "submitted_at": current.submitted_at if current else None,
    }


def erp_numbers_by_company(company_ids: Any, partner_ids: Any) -> dict[tuple[int, int], str]:
    """{(company id, partner id): vendor number} for several companies at once (one query), e.g. a page of awards."""
    return {
        (company_id, partner_id): number
        for company_id, partner_id, number in SupplierAccount.objects.filter(
            company_id__in=list(company_ids), partner_id__in=list(partner_ids)
        ).values_list("company_id", "partner_id", "erp_number")
    }


def award_payload(award: Award, *, erp_numbers: dict[tuple[int, int], str] | None = None) -> dict[str, Any]:
    """The approved award as the ERP orders it: per line the supplier (with its vendor number), quantity, unit price
    in the RFQ's currency and the line's net total. `erp_numbers`: {(company id, partner id): number} when the
    caller looked them up for many awards (else one query here)."""
    rfq = award.rfq
    lines = _prefetched(award, "lines")
    if lines is None:
        lines = list(award.lines.select_related("rfq_line__item", "rfq_line__unit", "invitation__supplier"))
    lines.sort(key=lambda line: (line.rfq_line.position, line.pk))
    suppliers = {line.invitation.supplier_id for line in lines}
    if erp_numbers is None:
        erp_numbers = erp_numbers_by_company([rfq.company_id], suppliers)
    return {
        "id": award.uuid,
        "rfq": rfq.number,
        "company": rfq.company.code,
        "currency": rfq.currency,
        # the award's value in the company currency (net)
        "total": award.total,
        "total_currency": award.currency,
        "approved_at": award.approved_at,
        "lines": [
            {
                "rfq_line": line.rfq_line.position,
                "item": line.rfq_line.item.code if line.rfq_line.item_id else None,
                "description": line.rfq_line.description,
                "supplier": {
                    "tax_id": line.invitation.supplier.tax_id,
                    "name": line.invitation.supplier.name,
                    "erp_number": erp_numbers.get((rfq.company_id, line.invitation.supplier_id), ""),
                },
                "quantity": line.quantity,
                "unit": line.rfq_line.unit.code,
                "unit_price": line.unit_price,
                "total": (line.quantity * line.unit_price).quantize(CENT, rounding=ROUND_HALF_UP),
            }
            for line in lines
        ],
    }
