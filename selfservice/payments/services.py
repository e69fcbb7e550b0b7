"""Prepayment of sales orders: the companies' payment set-ups, the pay page's payment (one Stripe PaymentIntent per
attempt, or a bank-transfer reference), Stripe's webhook events (each processed once) and the ERP's report of a
bank transfer received. Only a verified `payment_intent.succeeded` or the company's ERP marks an order paid
(selfservice.orders.workflow.order_mark_paid); the browser never does.

Stripe is called outside our transactions where nothing is locked yet (creating a PaymentIntent) and the result
is stored idempotently: a retry with the same idempotency key gets the same PaymentIntent back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import stripe
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.integration.secrets_at_rest import encrypt
from portal.organisations.access import scope_of
from portal.organisations.models import Company, PartnerRole, StaffRoleName
from selfservice.orders.models import OrderStatus, PaymentStatus, SalesOrder
from selfservice.orders.workflow import lock_order, order_log, order_mark_paid

from . import gateway
from .models import SECRET_PURPOSE, Payment, PaymentMethod, PaymentSetup, PaymentState, StripeEvent

logger = logging.getLogger(__name__)

PAYING_ROLES = (PartnerRole.ADMIN, PartnerRole.SALES, PartnerRole.FINANCE)
SETUP_FIELDS = (
    "method",
    "stripe_publishable_key",
    "bank_name",
    "bank_account_name",
    "bank_account_number",
    "bank_swift",
    "instructions",
    "is_active",
)


# --- payment set-up (back office) ---------------------------------------------------------------------------------


def may_edit_payment_setup(user: Any, company: Company) -> bool:
    """Group administrators, and the company's own finance staff."""
    scope = scope_of(user)
    return scope.is_group_admin or scope.has_staff_role(StaffRoleName.FINANCE, company.pk)


def payment_setup_save(
    *,
    actor: Any,
    company: Company,
    values: dict[str, Any],
    secret_key: str = "",
    webhook_secret: str = "",
    request: Any = None,
) -> PaymentSetup:
    """Create or change the company's payment set-up. Secrets are stored encrypted and kept when left blank;
    the audit says which secrets changed, never their values."""
    if not may_edit_payment_setup(actor, company):
        raise PermissionDenied
    with transaction.atomic():
        setup = PaymentSetup.objects.select_for_update().filter(company=company).first()
        before = _setup_summary(setup) if setup else {}
        if setup is None:
            setup = PaymentSetup(company=company)
        for name in SETUP_FIELDS:
            if name in values:
                setattr(setup, name, values[name])
        changed_secrets = []
        if secret_key:
            setup.stripe_secret_key = encrypt(secret_key, purpose=SECRET_PURPOSE)
            changed_secrets.append("stripe_secret_key")
        if webhook_secret:
            setup.stripe_webhook_secret = encrypt(webhook_secret, purpose=SECRET_PURPOSE)
            changed_secrets.append("stripe_webhook_secret")
        if setup.method == PaymentMethod.STRIPE and setup.is_active:
            missing = [
                label
                for label, present in (
                    (_("publishable key"), setup.stripe_publishable_key),
                    (_("secret key"), setup.stripe_secret_key),
                    (_("webhook signing secret"), setup.stripe_webhook_secret),
                )
                if not present
            ]
            if missing:
                raise DomainError(_("Card payment needs the Stripe %(missing)s.") % {"missing": ", ".join(missing)})
        if setup.method == PaymentMethod.BANK_TRANSFER and setup.is_active and not setup.bank_account_number:
            raise DomainError(_("Bank transfer needs the account number the customers pay to."))
        if setup.pk is None:
            setup.save()
        else:
            setup.save(update_fields=[*SETUP_FIELDS, "stripe_secret_key", "stripe_webhook_secret", "updated_at"])
        after = _setup_summary(setup)
        audit_record(
            actor=actor,
            action="payment_setup.save",
            obj=setup,
            company=company,
            before=before,
            after={**after, "secrets_changed": changed_secrets},
            request=request,
        )
        return setup


def _setup_summary(setup: PaymentSetup) -> dict[str, Any]:
    return {name: getattr(setup, name) for name in SETUP_FIELDS} | {
        "has_secret_key": bool(setup.stripe_secret_key),
        "has_webhook_secret": bool(setup.stripe_webhook_secret),
    }


def active_setup(company_id: int) -> PaymentSetup | None:
    return PaymentSetup.objects.filter(company_id=company_id, is_active=True).select_related("company").first()


# --- the pay page -------------------------------------------------------------------------------------------------


def may_pay(user: Any, order: SalesOrder) -> bool:
    return scope_of(user).has_partner_role(order.customer_id, *PAYING_ROLES)


def is_payable(order: SalesOrder) -> bool:
    return order.status == OrderStatus.AWAITING_PAYMENT and order.payment_status == PaymentStatus.PENDING


@dataclass(frozen=True)
class PaymentStart:
    payment: Payment
    setup: PaymentSetup
    client_secret: str = ""  # the PaymentIntent's, for Stripe.js (never stored)
    # Stripe already took the money (or is taking it); the order waits for the webhook: no card form
    is_confirming: bool = False


def _next_reference(order: SalesOrder) -> tuple[int, str]:
    attempt = order.payments.count() + 1
    reference = f"PAY-{order.number}" if attempt == 1 else f"PAY-{order.number}-{attempt}"
    return attempt, reference


def payment_start(*, actor: Any, order: SalesOrder) -> PaymentStart:
    """The order's live payment, made on first use: for Stripe one PaymentIntent per attempt (reloading the page
    reuses the pending one; after a failed or cancelled one the next attempt gets a new one), for bank transfer
    the reference the customer quotes. DomainError when the order cannot be paid now."""
    start = _payment_start(actor=actor, order=order)
    if start.setup.method == PaymentMethod.BANK_TRANSFER:
        return start
    intent = _payment_intent_for(start.payment, start.setup)
    if intent.status == "canceled":
        # Cancelled at Stripe without its webhook reaching us (yet): that attempt is over, start the next one.
        with transaction.atomic():
            lock_order(order.pk)
            Payment.objects.filter(pk=start.payment.pk, state=PaymentState.PENDING).update(
                state=PaymentState.CANCELLED, updated_at=timezone.now()
            )
        start = _payment_start(actor=actor, order=order)
        intent = _payment_intent_for(start.payment, start.setup)
    if intent.status in ("succeeded", "processing", "requires_capture"):
        return PaymentStart(payment=start.payment, setup=start.setup, is_confirming=True)
    return PaymentStart(payment=start.payment, setup=start.setup, client_secret=intent.client_secret)


def _payment_start(*, actor: Any, order: SalesOrder) -> PaymentStart:
    if not may_pay(actor, order):
        raise PermissionDenied
    setup = active_setup(order.company_id)
    if setup is None:
        raise DomainError(
            _("%(company)s does not take online prepayment yet. Please contact its sales staff.")
            % {"company": order.company.name}
        )
    with transaction.atomic():
        order = lock_order(order.pk)
        if not is_payable(order):
            raise DomainError(_("Order %(order)s is not waiting for a payment.") % {"order": order.number})
        payment = order.payments.select_for_update().filter(state=PaymentState.PENDING).first()
        if payment is not None and payment.method != setup.method:
            # The company changed how it takes payment: the old, unpaid attempt is dropped.
            _abandon(payment, actor=actor)
            payment = None
        if payment is None:
            attempt, reference = _next_reference(order)
            payment = Payment.objects.create(
                order=order,
                company_id=order.company_id,
                method=setup.method,
                amount=order.gross_total,
                currency=order.currency,
                reference=reference,
            )
            audit_record(
                actor=actor,
                action="payment.start",
                obj=payment,
                partner=order.customer,
                company=order.company,
                after={"order": order.number, "method": payment.method, "amount": str(payment.amount)},
            )
    return PaymentStart(payment=payment, setup=setup)


def _abandon(payment: Payment, *, actor: Any) -> None:
    payment.state = PaymentState.CANCELLED
    payment.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=actor,
        action="payment.abandon",
        obj=payment,
        partner=payment.order.customer,
        company=payment.order.company,
        after={"order": payment.order.number, "reason": "the company changed how it takes payment"},
    )


def _payment_intent_for(payment: Payment, setup: PaymentSetup) -> Any:
    """The payment's PaymentIntent, created at Stripe on first use."""
    client = gateway.stripe_client(setup)
    try:
        if payment.stripe_payment_intent:
            intent = client.v1.payment_intents.retrieve(payment.stripe_payment_intent)
        else:
            order = payment.order
            intent = client.v1.payment_intents.create(
                params={
                    "amount": gateway.to_minor_units(payment.amount, payment.currency),
                    "currency": payment.currency.lower(),
                    "metadata": {
                        "order_number": order.number,
                        "order": str(order.uuid),
                        "company": order.company.code,
                        "payment": str(payment.uuid),
                        "reference": payment.reference,
                    },
                },
                # one per (order, attempt): a retried request gets the same PaymentIntent
                options={"idempotency_key": f"payment-intent-{order.uuid}-{payment.reference}"},
            )
            updated = Payment.objects.filter(
                pk=payment.pk, stripe_payment_intent__isnull=True, state=PaymentState.PENDING
            ).update(stripe_payment_intent=intent.id, updated_at=timezone.now())
            if updated != 1:
                payment.refresh_from_db()
                if payment.stripe_payment_intent != intent.id:
                    raise DomainError(_("The payment changed meanwhile. Please reload the page."))
            payment.stripe_payment_intent = intent.id
    except stripe.StripeError as error:
        logger.warning("Stripe refused or did not answer for payment %s: %s", payment.reference, error)
        raise DomainError(_("Card payment is not available at the moment. Please try again later.")) from error
    return intent


# --- Stripe's webhook ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookResult:
    status: int
    outcome: str


LIVE_STATES = (PaymentState.PENDING, PaymentState.SUCCEEDED)
HANDLED_EVENTS = ("payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled")


def stripe_event_process(*, company: Company, event: Any) -> WebhookResult:
    """Apply one verified Stripe event of the company, exactly once: the StripeEvent row (unique event id) commits
    with the effect, so a replay (or a concurrent duplicate delivery) changes nothing."""
    if event.type not in HANDLED_EVENTS:
        return WebhookResult(200, "ignored")
    intent = event.data.object.to_dict() if hasattr(event.data.object, "to_dict") else dict(event.data.object)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(event_id=event.id, company=company, type=event.type)
        except IntegrityError:
            return WebhookResult(200, "replay")
        payment = Payment.objects.filter(company=company, stripe_payment_intent=intent.get("id")).first()
        if payment is None:
            outcome = "unknown payment intent"
        else:
            lock_order(payment.order_id)
            payment = Payment.objects.select_for_update().get(pk=payment.pk)
            record.payment = payment
            if event.type == "payment_intent.succeeded":
                outcome = _succeeded(payment, intent)
            else:
                outcome = _not_paid(payment, intent, event.type)
        record.outcome = outcome[:300]
        record.save(update_fields=["payment", "outcome"])
        return WebhookResult(200, outcome)


def _flag(payment: Payment, reason: str, *, details: dict[str, Any]) -> str:
    payment.needs_review = True
    payment.failure_message = reason[:300]
    payment.save(update_fields=["needs_review", "failure_message", "updated_at"])
    audit_record(
        actor=None,
        action="payment.refused",
        obj=payment,
        partner=payment.order.customer,
        company=payment.order.company,
        after={"order": payment.order.number, "reason": reason, **details},
    )
    return f"refused: {reason}"


def _succeeded(payment: Payment, intent: dict[str, Any]) -> str:
    if payment.state == PaymentState.SUCCEEDED:
        return "already paid"
    received = intent.get("amount_received")
    if received is None:  # localstripe and older API versions do not send it; `amount` is what was charged
        received = intent.get("amount")
    currency = str(intent.get("currency") or "").upper()
    expected = gateway.to_minor_units(payment.amount, payment.currency)
    details = {
        "received": received,
        "received_currency": currency,
        "expected": expected,
        "expected_currency": payment.currency,
    }
    if currency != payment.currency.upper():
        return _flag(payment, "currency mismatch", details=details)
    if received != expected or payment.amount != payment.order.gross_total:
        return _flag(payment, "amount mismatch", details=details)
    if payment.state == PaymentState.FAILED:
        # Stripe lets the customer retry a declined card on the same PaymentIntent: that payment counts, unless a
        # new attempt has started meanwhile (then staff sort it out).
        if Payment.objects.filter(order_id=payment.order_id, state__in=LIVE_STATES).exclude(pk=payment.pk).exists():
            return _flag(payment, "paid after a newer attempt started", details=details)
    elif payment.state != PaymentState.PENDING:
        return _flag(payment, f"payment was {payment.state}", details=details)
    try:
        order_mark_paid(
            order_id=payment.order_id,
            actor=None,
            amount=gateway.from_minor_units(received, currency),
            currency=currency,
            reference=payment.reference,
        )
    except DomainError as error:
        return _flag(payment, str(error.message), details=details)
    payment.state = PaymentState.SUCCEEDED
    payment.paid_at = timezone.now()
    payment.save(update_fields=["state", "paid_at", "updated_at"])
    audit_record(
        actor=None,
        action="payment.succeeded",
        obj=payment,
        partner=payment.order.customer,
        company=payment.order.company,
        after={"order": payment.order.number, "amount": str(payment.amount), "currency": payment.currency},
    )
    return "paid"


def _not_paid(payment: Payment, intent: dict[str, Any], event_type: str) -> str:
    if payment.state != PaymentState.PENDING:
        return f"payment already {payment.state}"
    failed = event_type == "payment_intent.payment_failed"
    message = str((intent.get("last_payment_error") or {}).get("message") or "")
    payment.state = PaymentState.FAILED if failed else PaymentState.CANCELLED
    payment.failure_message = message[:300]
    payment.save(update_fields=["state", "failure_message", "updated_at"])
    order_log(
        payment.order,
        "payment_failed" if failed else "payment_cancelled",
        actor=None,
        data={"reference": payment.reference, "message": message},
    )
    return "failed" if failed else "cancelled"


# --- bank transfer reported by the ERP ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BankTransferResult:
    payment: Payment
    order: SalesOrder
    replayed: bool


class PaymentConflict(DomainError):
    """The report contradicts what is stored (another payment under this id, a paid order, a mismatch)."""


def bank_transfer_record(
    *,
    actor: Any,
    order: SalesOrder,
    amount: Decimal,
    currency: str,
    reference: str,
    external_id: str,
    paid_at: datetime | None = None,
) -> BankTransferResult:
    """The company's ERP received the customer's transfer: the payment succeeds and the order goes to review.
    Idempotent on `external_id` (the same report again answers as the first time). DomainError for an amount or
    currency that does not match; PaymentConflict when the order cannot take this payment."""
    currency = currency.upper()
    with transaction.atomic():
        order = lock_order(order.pk)
        done = Payment.objects.filter(order=order, external_id=external_id).first()
        if done is not None:
            if done.amount != Decimal(amount) or done.currency != currency:
                raise PaymentConflict(
                    _("Payment %(id)s was already reported with another amount.") % {"id": external_id}
                )
            return BankTransferResult(payment=done, order=order, replayed=True)
        if currency != order.currency or Decimal(amount) != order.gross_total:
            raise DomainError(
                _("The payment of %(paid)s does not match the order's total %(total)s.")
                % {"paid": f"{currency} {Decimal(amount):,.2f}", "total": f"{order.currency} {order.gross_total:,.2f}"}
            )
        if not is_payable(order):
            raise PaymentConflict(
                _("Order %(order)s is %(status)s: it is not waiting for a payment.")
                % {"order": order.number, "status": order.get_status_display()}
            )
        payment = order.payments.select_for_update().filter(state=PaymentState.PENDING).first()
        if payment is not None and payment.method == PaymentMethod.STRIPE:
            if payment.stripe_payment_intent:
                raise PaymentConflict(
                    _("Order %(order)s is being paid by card; cancel that payment first.") % {"order": order.number}
                )
            payment.state = PaymentState.CANCELLED
            payment.save(update_fields=["state", "updated_at"])
            payment = None
        if payment is None:
            _attempt, next_reference = _next_reference(order)
            payment = Payment.objects.create(
                order=order,
                company_id=order.company_id,
                method=PaymentMethod.BANK_TRANSFER,
                amount=order.gross_total,
                currency=order.currency,
                reference=next_reference,
            )
        payment.state = PaymentState.SUCCEEDED
        payment.external_id = external_id
        payment.paid_at = paid_at or timezone.now()
        payment.save(update_fields=["state", "external_id", "paid_at", "updated_at"])
        audit_record(
            actor=actor,
            action="payment.bank_transfer",
            obj=payment,
            partner=order.customer,
            company=order.company,
            after={
                "order": order.number,
                "amount": str(payment.amount),
                "currency": payment.currency,
                "quoted_reference": reference,
                "external_id": external_id,
            },
        )
        order = order_mark_paid(
            order_id=order.pk,
            actor=actor,
            amount=Decimal(amount),
            currency=currency,
            reference=reference or payment.reference,
        )
        return BankTransferResult(payment=payment, order=order, replayed=False)
