"""What the ERP receives about sourcing (outbox events and the API). Bid payloads never carry prices, lead times,
comments or attachments: a bid's content leaves the seal only at its round's opening."""

from __future__ import annotations

from typing import Any

from .models import Award, Bid, Rfq


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
        "last_price": line.last_price,
        "target_price": line.target_price,
    }


def rfq_payload(rfq: Rfq) -> dict[str, Any]:
    current = rfq.rounds.order_by("-number").first()
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
        "lines": [_line(line) for line in rfq.lines.select_related("item", "unit", "site").order_by("position")],
    }


def bid_status_payload(bid: Bid) -> dict[str, Any]:
    current = bid.current
    return {
        "id": bid.uuid,
        "rfq": bid.round.rfq.number,
        "round": bid.round.number,
        "supplier": {"id": bid.supplier.uuid, "tax_id": bid.supplier.tax_id, "name": bid.supplier.name},
        "status": bid.status,
        "version": current.version if current else None,
        "submitted_at": current.submitted_at if current else None,
    }


def award_payload(award: Award) -> dict[str, Any]:
    rfq = award.rfq
    lines = award.lines.select_related("rfq_line__item", "rfq_line__unit", "invitation__supplier").order_by(
        "rfq_line__position", "id"
    )
    return {
        "id": award.uuid,
        "rfq": rfq.number,
        "company": rfq.company.code,
        "currency": rfq.currency,
        "total": award.total,
        "total_currency": award.currency,
        "lines": [
            {
                "rfq_line": line.rfq_line.position,
                "item": line.rfq_line.item.code if line.rfq_line.item_id else None,
                "description": line.rfq_line.description,
                "supplier": {"tax_id": line.invitation.supplier.tax_id, "name": line.invitation.supplier.name},
                "quantity": line.quantity,
                "unit": line.rfq_line.unit.code,
                "unit_price": line.unit_price,
            }
            for line in lines
        ],
    }
