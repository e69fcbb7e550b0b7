"""Cancelling a sales order before its review: by the customer (administrators and sales people of the partner)
or by the selling company's sales staff (with a reason). A paid card order is refunded in full through the
company's Stripe account; a paid bank-transfer order is marked "refund due" for the ERP, which pays it back; a
PaymentIntent still waiting is cancelled at Stripe so it can no longer be paid.

The Stripe call happens with the order row locked, so a `payment_intent.succeeded` arriving meanwhile waits and
then finds the order cancelled (its payment is flagged for staff). Each call carries an idempotency key, so a
retried cancel never refunds twice. https://docs.stripe.com/api/refunds/create
"""

from __future__ import annotations

import logging
from typing import Any

import stripe
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.integration.outbox import emit
from portal.notifications.services import notify
from portal.organisations.access import scope_of
from portal.organisations.models import PartnerRole, StaffRoleName
from selfservice.payments import gateway
from selfservice.payments.models import Payment, PaymentMethod, PaymentSetup, PaymentState

from . import notifications
from .models import OrderStatus, PaymentStatus, SalesOrder
from .workflow import (
    check_transition,
    customer_order_url,
    customer_people,
    lock_order,
    order_log,
    order_payload,
    sales_staff,
    staff_order_url,
)

logger = logging.getLogger(__name__)

CANCELLABLE = (OrderStatus.AWAITING_PAYMENT, OrderStatus.CREDIT_HOLD, OrderStatus.SUBMITTED)
CUSTOMER_ROLES = (PartnerRole.ADMIN, PartnerRole.SALES)
STAFF_ROLES = (StaffRoleName.SALES, StaffRoleName.SALES_MANAGER)
REASON_MAX_LENGTH = 1000


def cancelling_side(user: Any, order: SalesOrder) -> str | None:
    """ "customer" or "staff" when the user may cancel the order, else None."""
    scope = scope_of(user)
    if scope.has_partner_role(order.customer_id, *CUSTOMER_ROLES):
        return "customer"
    if scope.is_group_admin or any(scope.has_staff_role(role, order.company_id) for role in STAFF_ROLES):
        return "staff"
    return None


def is_cancellable(order: SalesOrder) -> bool:
    return order.status in CANCELLABLE


def order_cancel(*, actor: Any, order: SalesOrder, reason: str, request: Any = None) -> SalesOrder:
    """Cancel the order (awaiting payment, on credit hold, or submitted and not yet reviewed), settle its payment
    (refund, refund due, or cancel the waiting PaymentIntent), tell the ERP (`order.cancelled`) and the other side."""
    side = cancelling_side(actor, order)
    if side is None:
        raise PermissionDenied
    reason = (reason or "").strip()
    if side == "staff" and not reason:
        raise DomainError(_("Say why the order is cancelled: the customer reads it."))
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(_("Keep the reason under %(n)s characters.") % {"n": REASON_MAX_LENGTH})
    with transaction.atomic():
        order = lock_order(order.pk)
        if not is_cancellable(order):
            raise DomainError(
                _("Order %(order)s is %(status)s: it can no longer be cancelled.")
                % {"order": order.number, "status": order.get_status_display()}
            )
        check_transition(order, OrderStatus.CANCELLED)
        before = {"status": order.status, "payment_status": order.payment_status}
        settlement = _settle_payment(order)
        order.status = OrderStatus.CANCELLED
        order.cancelled_at = timezone.now()
        order.cancel_reason = reason
        fields = ["status", "cancelled_at", "cancel_reason", "updated_at"]
        if settlement.get("refund") == "refunded":
            order.payment_status = PaymentStatus.REFUNDED
            fields.append("payment_status")
        order.save(update_fields=fields)
        order_log(order, "cancelled", actor=actor, data={"reason": reason, "by": side, **settlement})
        if settlement.get("refund") == "refund_due":
            order_log(order, "refund_due", actor=actor, data=settlement)
        emit(
            "order.cancelled",
            {**order_payload(order), "cancelled_by": side, "reason": reason, "payment": settlement},
            company=order.company,
            obj=order,
        )
        audit_record(
            actor=actor,
            action="order.cancel",
            obj=order,
            partner=order.customer,
            company=order.company,
            before=before,
            after={"status": order.status, "payment_status": order.payment_status, "by": side, **settlement},
            request=request,
        )
        params = {"order": order.number, "reason": reason or _("cancelled by the customer")}
        if side == "customer":
            notify(
                recipients=sales_staff(order.company_id),
                kind=notifications.CANCELLED,
                params=params,
                url=staff_order_url(order),
                company=order.company,
            )
        else:
            notify(
                recipients=customer_people(order),
                kind=notifications.CANCELLED,
                params=params,
                url=customer_order_url(order),
                partner=order.customer,
            )
        return order


def _settle_payment(order: SalesOrder) -> dict[str, Any]:
    """What happens to the order's live payment; the summary goes into the history, the audit and the event."""
    payment = (
        Payment.objects.select_for_update()
        .filter(order=order, state__in=(PaymentState.PENDING, PaymentState.SUCCEEDED))
        .first()
    )
    if payment is None:
        return {}
    summary: dict[str, Any] = {
        "reference": payment.reference,
        "method": payment.method,
        "amount": format(payment.amount, "f"),
        "currency": payment.currency,
    }
    if payment.method == PaymentMethod.STRIPE:
        setup = PaymentSetup.objects.filter(company_id=order.company_id).first()
        if payment.state == PaymentState.SUCCEEDED:
            refund = _stripe_call(setup, "refund", payment)
            payment.state = PaymentState.REFUNDED
            payment.refunded_amount = payment.amount
            payment.stripe_refund = refund.id
            payment.save(update_fields=["state", "refunded_amount", "stripe_refund", "updated_at"])
            return {**summary, "refund": "refunded", "stripe_refund": refund.id}
        if payment.stripe_payment_intent:
            _stripe_call(setup, "cancel", payment)
        payment.state = PaymentState.CANCELLED
        payment.save(update_fields=["state", "updated_at"])
        return {**summary, "refund": "none", "payment_cancelled": True}
    if payment.state == PaymentState.SUCCEEDED:
        # The money is in the company's bank account: its ERP pays it back (the event says so).
        return {**summary, "refund": "refund_due", "external_id": payment.external_id}
    payment.state = PaymentState.CANCELLED
    payment.save(update_fields=["state", "updated_at"])
    return {**summary, "refund": "none", "payment_cancelled": True}


def _stripe_call(setup: PaymentSetup | None, what: str, payment: Payment) -> Any:
    if setup is None or not setup.stripe_secret_key:
        raise DomainError(_("The card payment cannot be reached: the company's Stripe set-up is missing."))
    client = gateway.stripe_client(setup)
    try:
        if what == "refund":
            return client.v1.refunds.create(
                params={
                    "payment_intent": payment.stripe_payment_intent,
                    "amount": gateway.to_minor_units(payment.amount, payment.currency),
                    "metadata": {"order_number": payment.order.number, "payment": str(payment.uuid)},
                },
                options={"idempotency_key": f"refund-{payment.uuid}"},
            )
        intent = client.v1.payment_intents.retrieve(payment.stripe_payment_intent)
        if intent.status == "canceled":
            return intent
        if intent.status in ("succeeded", "processing"):
            # Paid meanwhile: the webhook is on its way. Cancelling now would keep the money without an order.
            raise DomainError(_("The card payment has just gone through. Reload the order and cancel it again."))
        return client.v1.payment_intents.cancel(
            payment.stripe_payment_intent, options={"idempotency_key": f"cancel-{payment.uuid}"}
        )
    except stripe.StripeError as error:
        logger.warning("Stripe refused to %s payment %s: %s", what, payment.reference, error)
        if what == "refund":
            raise DomainError(
                _("The refund could not be made at Stripe; nothing was changed. Please try again later.")
            ) from error
        raise DomainError(
            _("The card payment could not be cancelled at Stripe; nothing was changed. Please try again later.")
        ) from error
