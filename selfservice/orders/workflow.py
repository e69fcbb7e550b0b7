"""The sales order's states and transitions, and the steps every path through them shares (history, outbox
event, notification). Checkout (selfservice.orders.checkout), payments (selfservice.payments) and review
(selfservice.orders.review) call these inside their own transaction, with the order row locked.

    awaiting_payment ──paid──▶ submitted ──review──▶ confirmed | rejected
    credit_hold ──special approval──▶ submitted
    awaiting_payment | credit_hold | submitted ──cancel──▶ cancelled   (a paid order is refunded)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.errors import DomainError
from portal.integration.outbox import emit
from portal.notifications.services import notify
from portal.organisations.models import Membership, PartnerRole, StaffRole, StaffRoleName

from . import notifications
from .models import OrderEvent, OrderStatus, PaymentStatus, SalesOrder

S = OrderStatus
TRANSITIONS: dict[str, set[str]] = {
    S.AWAITING_PAYMENT: {S.SUBMITTED, S.CANCELLED},
    S.CREDIT_HOLD: {S.SUBMITTED, S.AWAITING_PAYMENT, S.CANCELLED},
    S.SUBMITTED: {S.CONFIRMED, S.REJECTED, S.CANCELLED},
    S.CONFIRMED: set(),
    S.REJECTED: set(),
    S.CANCELLED: set(),
}
OPEN_STATUSES = (S.AWAITING_PAYMENT, S.CREDIT_HOLD, S.SUBMITTED, S.CONFIRMED)


def check_transition(order: SalesOrder, to: str) -> None:
    if to not in TRANSITIONS[order.status]:
        raise DomainError(
            _("Order %(order)s is %(status)s; it cannot become %(to)s.")
            % {"order": order.number, "status": order.get_status_display(), "to": OrderStatus(to).label}
        )


def lock_order(order_id: int) -> SalesOrder:
    """The order row, locked for the rest of the transaction (re-read: what the caller held may be stale)."""
    return SalesOrder.objects.select_for_update().select_related("company", "customer").get(pk=order_id)


def actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    if getattr(actor, "is_api_client", False):
        return f"ERP ({actor.name})"
    full_name = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return full_name or getattr(actor, "email", "") or str(actor)


def order_log(
    order: SalesOrder, kind: str, *, actor: Any, data: dict | None = None, internal: bool = False
) -> OrderEvent:
    """One entry of the order's history (kinds are listed in selfservice.orders.history.EVENT_LABELS)."""
    is_user = getattr(actor, "is_authenticated", False) and not getattr(actor, "is_api_client", False)
    return OrderEvent.objects.create(
        order=order,
        kind=kind,
        actor=actor if is_user else None,
        actor_label=actor_label(actor),
        data=data or {},
        internal=internal,
    )


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def order_payload(order: SalesOrder, lines: list | None = None) -> dict[str, Any]:
    """What the ERP receives with every order event (and reads from the API): the order as it now stands, with its
    lines (fetched here unless given, e.g. prefetched for a page of orders)."""
    if lines is None:
        lines = list(order.lines.select_related("item", "unit").order_by("line_no"))
    return {
        "order": str(order.uuid),
        "number": order.number,
        "erp_number": order.erp_number,
        "source": order.source,
        "company": order.company.code,
        "customer": {
            "tax_id": order.customer.tax_id,
            "erp_number": order.customer_account.erp_number,
        },
        "status": order.status,
        "payment_mode": order.payment_mode,
        "payment_status": order.payment_status,
        "credit_status": order.credit_status,
        "currency": order.currency,
        "net_total": _number(order.net_total),
        "tax_total": _number(order.tax_total),
        "gross_total": _number(order.gross_total),
        "customer_po": order.customer_po,
        "payment_terms": order.payment_terms,
        "ship_to": {"code": order.ship_to.code if order.ship_to else "", "text": order.ship_to_text},
        "invoicing": order.invoicing,
        "lines": [
            {
                "line": line.line_no,
                "item": line.item.code,
                "quantity": _number(line.quantity),
                "unit": line.unit.code,
                "unit_price": _number(line.unit_price),
                "tax_rate": _number(line.tax_rate),
                "net_amount": _number(line.net_amount),
                "requested_date": line.requested_date,
                "status": line.status,
                "confirmed_quantity": _number(line.confirmed_quantity),
                "promised_date": line.promised_date,
                "rejection_reason": line.rejection_reason,
            }
            for line in lines
        ],
    }


def format_total(order: SalesOrder) -> str:
    return f"{order.currency} {order.gross_total:,.2f}"


def sales_staff(company_id: int, *roles: str) -> list[Any]:
    """The active users holding one of `roles` (default sales and sales managers) at the company or group-wide."""
    roles = roles or (StaffRoleName.SALES, StaffRoleName.SALES_MANAGER)
    staff = StaffRole.objects.filter(role__in=roles, user__is_active=True).select_related("user")
    return [role.user for role in staff.filter(company_id=company_id)] + [
        role.user for role in staff.filter(company__isnull=True)
    ]


def customer_people(order: SalesOrder) -> list[Any]:
    """Who hears about the customer's order: who placed it, and the customer's administrators and sales people."""
    people = [order.placed_by] if order.placed_by_id else []
    for membership in Membership.objects.filter(
        partner_id=order.customer_id, is_active=True, user__is_active=True
    ).select_related("user"):
        if {PartnerRole.ADMIN, PartnerRole.SALES} & set(membership.roles or ()):
            people.append(membership.user)
    return people


def staff_order_url(order: SalesOrder) -> str:
    return f"/cms/orders/{order.uuid}/"


def customer_order_url(order: SalesOrder) -> str:
    return f"/customer/orders/{order.uuid}/"


def order_submit_for_review(*, order: SalesOrder, actor: Any) -> SalesOrder:
    """Move a locked order into review (from checkout within credit, after payment, or after a special
    approval): stamp it, tell the ERP (`order.submitted`) and the company's sales staff."""
    if order.status != OrderStatus.SUBMITTED:
        check_transition(order, OrderStatus.SUBMITTED)
    order.status = OrderStatus.SUBMITTED
    order.submitted_at = timezone.now()
    order.save(update_fields=["status", "submitted_at", "updated_at"])
    order_log(order, "submitted", actor=actor)
    emit("order.submitted", order_payload(order), company=order.company, obj=order)
    notify(
        recipients=sales_staff(order.company_id),
        kind=notifications.SUBMITTED,
        params={"order": order.number, "customer": str(order.customer.name), "total": format_total(order)},
        url=staff_order_url(order),
        company=order.company,
    )
    return order


def order_mark_paid(*, order_id: int, actor: Any, amount: Decimal, currency: str, reference: str) -> SalesOrder:
    """A prepayment arrived (a verified Stripe webhook or the company's ERP): the order is paid and goes to
    review. The amount and currency must match the order's total; paying a paid order again changes nothing."""
    with transaction.atomic():
        order = lock_order(order_id)
        if order.payment_status == PaymentStatus.PAID:
            return order
        if order.status != OrderStatus.AWAITING_PAYMENT:
            raise DomainError(
                _("Order %(order)s is %(status)s: it is not waiting for a payment.")
                % {"order": order.number, "status": order.get_status_display()}
            )
        if currency.upper() != order.currency or Decimal(amount) != order.gross_total:
            raise DomainError(
                _("The payment of %(paid)s does not match the order's total %(total)s.")
                % {"paid": f"{currency.upper()} {Decimal(amount):,.2f}", "total": format_total(order)}
            )
        order.payment_status = PaymentStatus.PAID
        order.paid_at = timezone.now()
        order.save(update_fields=["payment_status", "paid_at", "updated_at"])
        order_log(order, "paid", actor=actor, data={"amount": format(Decimal(amount), "f"), "reference": reference})
        emit("order.paid", order_payload(order), company=order.company, obj=order)
        notify(
            recipients=customer_people(order),
            kind=notifications.PAID,
            params={"order": order.number, "company": str(order.company.name), "total": format_total(order)},
            url=customer_order_url(order),
            partner=order.customer,
        )
        return order_submit_for_review(order=order, actor=actor)
