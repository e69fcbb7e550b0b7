"""Order review (订单评审): sales staff of the selling company decide each line of a submitted order — confirm it
with a promised date, confirm a reduced quantity, or reject it with a reason — and a sales manager may grant a
time-boxed special credit approval (特批) that releases orders held for credit.

Completion is automatic: the decision that leaves no line open completes the order in the same transaction — it
becomes confirmed (at least one line confirmed) or rejected (every line rejected), stamped reviewed_by/at, with
`order.confirmed` / `order.rejected` emitted once and the customer's people notified with a summary
("2 lines confirmed, 1 reduced, 1 rejected."). There is no separate "complete" step to forget.

A reduced quantity keeps the ordered figures on the line and on the order (what the customer asked for, and the
order's totals as submitted); the confirmed quantity sits beside them, and the pages show the totals of the
confirmed quantities (selectors.confirmed_totals). A decided line stays decided (a change is a later issue's
change request)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.integration.outbox import emit
from portal.notifications.services import notify
from portal.organisations.models import CustomerAccount

from . import notifications
from .access import may_grant_credit, may_review_orders
from .credit import credit_position
from .history import review_summary
from .models import CreditApproval, CreditStatus, LineStatus, OrderStatus, SalesOrder, SalesOrderLine
from .selectors import company_today
from .workflow import (
    check_transition,
    customer_order_url,
    customer_people,
    lock_order,
    order_log,
    order_payload,
    order_submit_for_review,
)

MAX_APPROVAL_DAYS = 90
DEFAULT_APPROVAL_DAYS = 7
MAX_REASON = 2000


def _number(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def _locked_open_line(*, actor: Any, order_id: int, line_id: int) -> tuple[SalesOrder, SalesOrderLine]:
    """The order and its line, both locked, after the role and state checks every line decision shares."""
    order = lock_order(order_id)
    if not may_review_orders(actor, order.company_id):
        raise PermissionDenied
    if order.status != OrderStatus.SUBMITTED:
        raise DomainError(
            _("Order %(order)s is %(status)s: only a submitted order is reviewed.")
            % {"order": order.number, "status": order.get_status_display()}
        )
    line = (
        SalesOrderLine.objects.select_for_update(of=("self",))
        .select_related("item")
        .filter(order=order, pk=line_id)
        .first()
    )
    if line is None:
        raise DomainError(_("This line is not part of order %(order)s.") % {"order": order.number})
    if line.status != LineStatus.OPEN:
        raise DomainError(
            _("Line %(line)s is already decided (%(status)s).")
            % {"line": line.line_no, "status": line.get_status_display()}
        )
    return order, line


def _check_promised_date(order: SalesOrder, promised_date: date | None) -> date:
    if not isinstance(promised_date, date):
        raise DomainError(_("Give the promised delivery date."))
    today = company_today(order.company)
    if promised_date < today:
        raise DomainError(
            _("The promised date %(date)s is in the past (today is %(today)s at %(company)s).")
            % {"date": promised_date.isoformat(), "today": today.isoformat(), "company": order.company.code}
        )
    return promised_date


def _decide(
    *, actor: Any, order: SalesOrder, line: SalesOrderLine, kind: str, values: dict, data: dict, request: Any
) -> SalesOrder:
    before = {"status": line.status}
    for name, value in values.items():
        setattr(line, name, value)
    line.save(update_fields=list(values))
    data = {"line": line.line_no, "item": line.item.code, **data}
    order_log(order, kind, actor=actor, data=data)
    audit_record(
        actor=actor,
        action=f"sales_order.{kind}",
        obj=order,
        company=order.company,
        partner=order.customer,
        before=before,
        after=data | {"status": line.status},
        request=request,
    )
    return _complete_if_decided(order=order, actor=actor, request=request)


def _complete_if_decided(*, order: SalesOrder, actor: Any, request: Any) -> SalesOrder:
    statuses = list(order.lines.values_list("status", flat=True))
    if LineStatus.OPEN in statuses:
        return order
    counts = {
        "confirmed": statuses.count(LineStatus.CONFIRMED),
        "reduced": statuses.count(LineStatus.REDUCED),
        "rejected": statuses.count(LineStatus.REJECTED),
    }
    to = OrderStatus.CONFIRMED if counts["confirmed"] or counts["reduced"] else OrderStatus.REJECTED
    check_transition(order, to)
    before = {"status": order.status}
    order.status = to
    order.reviewed_by = actor
    order.reviewed_at = timezone.now()
    order.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    order_log(order, str(to), actor=actor, data={"summary": counts})
    audit_record(
        actor=actor,
        action=f"sales_order.{to}",
        obj=order,
        company=order.company,
        partner=order.customer,
        before=before,
        after={"status": str(to), **counts},
        request=request,
    )
    emit(f"order.{to}", order_payload(order), company=order.company, obj=order)
    with translation.override(order.language or None):
        summary = review_summary(counts["confirmed"], counts["reduced"], counts["rejected"])
    notify(
        recipients=customer_people(order),
        kind=notifications.REVIEWED,
        params={"order": order.number, "company": str(order.company.name), "summary": summary},
        url=customer_order_url(order),
        partner=order.customer,
    )
    return order


def order_line_confirm(
    *, actor: Any, order_id: int, line_id: int, promised_date: date | None, request: Any = None
) -> SalesOrder:
    """Confirm a line's full quantity with a promised delivery date (today or later in the company's zone)."""
    with transaction.atomic():
        order, line = _locked_open_line(actor=actor, order_id=order_id, line_id=line_id)
        promised = _check_promised_date(order, promised_date)
        return _decide(
            actor=actor,
            order=order,
            line=line,
            kind="line_confirmed",
            values={"status": LineStatus.CONFIRMED, "confirmed_quantity": line.quantity, "promised_date": promised},
            data={"quantity": _number(line.quantity), "promised_date": promised.isoformat()},
            request=request,
        )


def order_line_reduce(
    *, actor: Any, order_id: int, line_id: int, quantity: Any, promised_date: date | None, request: Any = None
) -> SalesOrder:
    """Confirm less than the ordered quantity (more than zero, less than ordered) with a promised date."""
    with transaction.atomic():
        order, line = _locked_open_line(actor=actor, order_id=order_id, line_id=line_id)
        try:
            reduced = Decimal(str(quantity).strip())
            if not reduced.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            raise DomainError(_("The confirmed quantity must be a number.")) from None
        if reduced <= 0:
            raise DomainError(_("The confirmed quantity must be more than zero; reject the line instead."))
        if reduced >= line.quantity:
            raise DomainError(
                _("The confirmed quantity must be less than the %(ordered)s ordered; confirm the line instead.")
                % {"ordered": _number(line.quantity)}
            )
        if reduced != reduced.quantize(Decimal("0.0001")):
            raise DomainError(_("The confirmed quantity has more than four decimal places."))
        promised = _check_promised_date(order, promised_date)
        return _decide(
            actor=actor,
            order=order,
            line=line,
            kind="line_reduced",
            values={"status": LineStatus.REDUCED, "confirmed_quantity": reduced, "promised_date": promised},
            data={
                "quantity_from": _number(line.quantity),
                "quantity_to": _number(reduced),
                "promised_date": promised.isoformat(),
            },
            request=request,
        )


def order_line_reject(*, actor: Any, order_id: int, line_id: int, reason: str, request: Any = None) -> SalesOrder:
    """Reject a line; the customer reads the reason."""
    reason = (reason or "").strip()
    with transaction.atomic():
        order, line = _locked_open_line(actor=actor, order_id=order_id, line_id=line_id)
        if not reason:
            raise DomainError(_("Say why the line is rejected: the customer reads the reason."))
        if len(reason) > MAX_REASON:
            raise DomainError(_("The reason is longer than 2000 characters."))
        return _decide(
            actor=actor,
            order=order,
            line=line,
            kind="line_rejected",
            values={"status": LineStatus.REJECTED, "confirmed_quantity": Decimal("0"), "rejection_reason": reason},
            data={"reason": reason},
            request=request,
        )


# --- special credit approval (特批) --------------------------------------------------------------------------------


def approval_default_amount(order: SalesOrder) -> Decimal:
    """What the order needs beyond the credit available to it (at least 0.01)."""
    position = credit_position(order.customer_account, exclude_order=order)
    return max(order.gross_total - position.available, Decimal("0.01"))


def credit_approval_grant(
    *,
    actor: Any,
    account: CustomerAccount,
    amount: Any,
    valid_until: datetime,
    reason: str,
    order: SalesOrder | None = None,
    request: Any = None,
) -> tuple[CreditApproval, list[SalesOrder]]:
    """A sales manager of the account's company grants `amount` more credit until `valid_until` (at most 90 days
    ahead). Audited; noted in the order's internal history when given for an order. Then every order of the
    account held for credit that now fits is released for review. Returns the approval and the released orders."""
    reason = (reason or "").strip()
    with transaction.atomic():
        account = CustomerAccount.objects.select_for_update().select_related("company").get(pk=account.pk)
        if not may_grant_credit(actor, account.company_id):
            raise PermissionDenied
        try:
            amount = Decimal(str(amount).strip())
            if not amount.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            raise DomainError(_("The amount must be a number.")) from None
        if amount <= 0:
            raise DomainError(_("The additional credit must be more than zero."))
        if amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e18"):
            raise DomainError(_("The amount must have at most two decimal places and fewer than 19 digits."))
        now = timezone.now()
        if not isinstance(valid_until, datetime) or valid_until <= now:
            raise DomainError(_("The approval must end in the future."))
        if valid_until > now + timedelta(days=MAX_APPROVAL_DAYS, hours=24):
            raise DomainError(
                _("A special approval lasts at most %(days)s days.") % {"days": MAX_APPROVAL_DAYS},
            )
        if not reason:
            raise DomainError(_("Give the reason for the special approval."))
        if len(reason) > MAX_REASON:
            raise DomainError(_("The reason is longer than 2000 characters."))
        if order is not None and order.customer_account_id != account.pk:
            raise DomainError(_("The order belongs to another customer account."))
        approval = CreditApproval.objects.create(
            customer_account=account,
            amount=amount,
            valid_until=valid_until,
            reason=reason,
            order=order,
            granted_by=actor,
        )
        details = {
            "amount": format(amount, "f"),
            "currency": account.currency,
            "valid_until": valid_until.isoformat(),
            "reason": reason,
        }
        audit_record(
            actor=actor,
            action="credit_approval.granted",
            obj=approval,
            company=account.company,
            partner=account.partner,
            after=details | {"order": order.number if order else None, "account": account.erp_number},
            request=request,
        )
        if order is not None:
            order_log(order, "credit_approved", actor=actor, data=details, internal=True)
        released = []
        held = SalesOrder.objects.filter(customer_account=account, status=OrderStatus.CREDIT_HOLD).order_by("pk")
        for held_id in held.values_list("pk", flat=True):
            candidate = lock_order(held_id)
            if candidate.status != OrderStatus.CREDIT_HOLD:
                continue
            if not credit_position(account, exclude_order=candidate).allows(candidate.gross_total):
                continue
            candidate.credit_status = CreditStatus.SPECIAL_APPROVAL
            candidate.save(update_fields=["credit_status", "updated_at"])
            if order is None or candidate.pk != order.pk:
                order_log(candidate, "credit_approved", actor=actor, data=details, internal=True)
            audit_record(
                actor=actor,
                action="sales_order.credit_released",
                obj=candidate,
                company=account.company,
                partner=candidate.customer,
                before={"status": OrderStatus.CREDIT_HOLD},
                after={"status": OrderStatus.SUBMITTED, "approval": str(approval.uuid)},
                request=request,
            )
            released.append(order_submit_for_review(order=candidate, actor=actor))
        return approval, released
