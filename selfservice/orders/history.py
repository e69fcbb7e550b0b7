"""The order's history as people read it: each OrderEvent kind's label and what changed, in the reader's language
(the rows keep plain data: numbers, dates, reasons).

Kinds and their data:
- placed (total, lines), submitted, paid (amount, reference), credit_hold (reason, available)
- cancelled (reason, by), refund_due, payment_failed / payment_cancelled (reference, message), confirmation_sent
  (the checkout's and payments' kinds)
- line_confirmed (line, item, quantity, promised_date)
- line_reduced (line, item, quantity_from, quantity_to, promised_date)
- line_rejected (line, item, reason)
- confirmed / rejected (summary: {"confirmed", "reduced", "rejected"} line counts)
- credit_approved (amount, currency, valid_until, reason): internal, staff only
- erp_created / erp_updated (changed: field names, lines: line numbers): the ERP sent the order or a change
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import OrderEvent, SalesOrder

EVENT_LABELS = {
    "placed": gettext_lazy("Order placed"),
    "submitted": gettext_lazy("Submitted for review"),
    "credit_hold": gettext_lazy("Waiting for credit approval"),
    "paid": gettext_lazy("Payment received"),
    "line_confirmed": gettext_lazy("Line confirmed"),
    "line_reduced": gettext_lazy("Line confirmed with a reduced quantity"),
    "line_rejected": gettext_lazy("Line rejected"),
    "confirmed": gettext_lazy("Order confirmed"),
    "rejected": gettext_lazy("Order rejected"),
    "credit_approved": gettext_lazy("Special credit approval granted"),
    "cancelled": gettext_lazy("Order cancelled"),
    "refund_due": gettext_lazy("Refund due"),
    "payment_failed": gettext_lazy("Payment failed"),
    "payment_cancelled": gettext_lazy("Payment cancelled"),
    "confirmation_sent": gettext_lazy("Order confirmation sent"),
    "erp_created": gettext_lazy("Received from the ERP"),
    "erp_updated": gettext_lazy("Updated by the ERP"),
}


def review_summary(confirmed: int, reduced: int, rejected: int) -> str:
    """ "2 lines confirmed, 1 reduced, 1 rejected." in the active language (parts with a zero count left out)."""
    parts = []
    if confirmed:
        parts.append(
            ngettext("%(count)s line confirmed", "%(count)s lines confirmed", confirmed) % {"count": confirmed}
        )
    if reduced:
        parts.append(ngettext("%(count)s reduced", "%(count)s reduced", reduced) % {"count": reduced})
    if rejected:
        parts.append(ngettext("%(count)s rejected", "%(count)s rejected", rejected) % {"count": rejected})
    return _(", ").join(parts) + _(".")


def _field_label(name: str) -> str:
    if name == "lines":
        return _("order lines")
    try:
        return str(SalesOrder._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def describe(event: OrderEvent) -> str:
    """What changed, in one sentence of the active language ("" when the label says it all)."""
    data: dict[str, Any] = event.data or {}
    kind = event.kind
    if kind == "line_confirmed":
        return _("Line %(line)s (%(item)s): %(quantity)s confirmed, delivery promised for %(date)s.") % {
            "line": data.get("line"),
            "item": data.get("item"),
            "quantity": data.get("quantity"),
            "date": data.get("promised_date"),
        }
    if kind == "line_reduced":
        return _("Line %(line)s (%(item)s): quantity %(old)s → %(new)s, delivery promised for %(date)s.") % {
            "line": data.get("line"),
            "item": data.get("item"),
            "old": data.get("quantity_from"),
            "new": data.get("quantity_to"),
            "date": data.get("promised_date"),
        }
    if kind == "line_rejected":
        return _("Line %(line)s (%(item)s) rejected: %(reason)s") % {
            "line": data.get("line"),
            "item": data.get("item"),
            "reason": data.get("reason"),
        }
    if kind in ("confirmed", "rejected") and isinstance(data.get("summary"), dict):
        summary = data["summary"]
        return review_summary(summary.get("confirmed", 0), summary.get("reduced", 0), summary.get("rejected", 0))
    if kind == "credit_approved":
        return _("%(amount)s more credit until %(until)s: %(reason)s") % {
            "amount": f"{data.get('currency', '')} {data.get('amount', '')}".strip(),
            "until": data.get("valid_until", "")[:10],
            "reason": data.get("reason", ""),
        }
    if kind == "paid" and data.get("amount"):
        return _("Amount %(amount)s, reference %(reference)s.") % {
            "amount": data.get("amount"),
            "reference": data.get("reference", ""),
        }
    if kind == "placed" and data.get("total"):
        return _("Total %(total)s.") % {"total": data["total"]}
    if kind in ("payment_failed", "payment_cancelled") and data.get("message"):
        return str(data["message"])
    if kind == "cancelled" and data.get("reason"):
        return str(data["reason"])
    if kind == "erp_updated" and data.get("changed"):
        return _("Changed: %(fields)s.") % {"fields": _(", ").join(_field_label(name) for name in data["changed"])}
    return ""


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    label: str
    text: str
    internal: bool


def history_entries(events: list[OrderEvent]) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            at=event.at,
            who=event.actor_label,
            label=str(EVENT_LABELS.get(event.kind, event.kind)),
            text=describe(event),
            internal=event.internal,
        )
        for event in events
    ]
