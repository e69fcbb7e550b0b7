"""How each selling company takes prepayment (its own Stripe account, or bank transfer confirmed by its ERP),
the payments of orders and the Stripe events already processed (each exactly once)."""

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.organisations.access import ScopedQuerySet
from portal.organisations.models import Company, currency_validator

SECRET_PURPOSE = "stripe-secret"


class PaymentMethod(models.TextChoices):
    STRIPE = "stripe", _("Card (Stripe)")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")


class PaymentSetup(models.Model):
    """One company's prepayment set-up. Stripe keys and the webhook signing secret are the company's own; the
    secret key and the webhook secret are stored encrypted (portal.integration.secrets_at_rest)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.OneToOneField(
        Company, on_delete=models.PROTECT, related_name="payment_setup", verbose_name=_("company")
    )
    method = models.CharField(_("prepayment by"), max_length=16, choices=PaymentMethod.choices)
    stripe_publishable_key = models.CharField(_("Stripe publishable key"), max_length=200, blank=True)
    stripe_secret_key = models.TextField(_("Stripe secret key"), blank=True, editable=False)
    stripe_webhook_secret = models.TextField(_("Stripe webhook signing secret"), blank=True, editable=False)
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    bank_account_name = models.CharField(_("account name"), max_length=200, blank=True)
    bank_account_number = models.CharField(_("account number"), max_length=60, blank=True)
    bank_swift = models.CharField(_("SWIFT / BIC"), max_length=20, blank=True)
    instructions = models.TextField(_("instructions for the customer"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager(company_path="company")

    class Meta:
        verbose_name = _("payment set-up")
        verbose_name_plural = _("payment set-ups")

    def __str__(self) -> str:
        return f"{self.company_id}: {self.method}"


class PaymentState(models.TextChoices):
    PENDING = "pending", _("Waiting for payment")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


class Payment(models.Model):
    """A prepayment of one order: by card through one Stripe PaymentIntent per order, or by bank transfer with a
    reference the customer quotes. Marked succeeded only by a verified webhook or the company's ERP."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey("orders.SalesOrder", on_delete=models.PROTECT, related_name="payments")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    state = models.CharField(_("state"), max_length=10, choices=PaymentState.choices, default=PaymentState.PENDING)
    stripe_payment_intent = models.CharField(max_length=255, null=True, blank=True, unique=True)
    reference = models.CharField(_("payment reference"), max_length=40, unique=True)
    external_id = models.CharField(_("ERP payment id"), max_length=60, blank=True)
    failure_message = models.CharField(_("why it failed"), max_length=300, blank=True)
    # Set when money arrived that does not match (amount, currency, an order no longer payable): staff must look.
    needs_review = models.BooleanField(_("needs review"), default=False)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    refunded_amount = models.DecimalField(_("refunded"), max_digits=20, decimal_places=2, default=Decimal("0.00"))
    stripe_refund = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager(partner_path="order__customer", company_path="company")

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            # One live payment per order: a failed or cancelled one leaves room for the next attempt.
            models.UniqueConstraint(
                fields=["order"], condition=Q(state__in=["pending", "succeeded"]), name="payment_one_live_per_order"
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class StripeEvent(models.Model):
    """A Stripe webhook event processed: the unique event id makes a replay change nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    type = models.CharField(max_length=100)
    payment = models.ForeignKey(Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")

    def __str__(self) -> str:
        return self.event_id
