"""Sales orders (销售订单) of the group's selling companies to their customers, from the portal's checkout or
from the ERP, their review by sales (订单评审) line by line, the history the customer sees, the ERP's view of each
customer's open receivables and the sales managers' time-boxed special credit approvals (特批).

States and their transitions are in selfservice.orders.workflow."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Item, UnitOfMeasure
from portal.integration.models import SyncedFromErp
from portal.organisations.access import ScopedQuerySet
from portal.organisations.models import Company, CustomerAccount, Partner, PartnerAddress, currency_validator


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")  # prepayment chosen, not yet paid
    CREDIT_HOLD = "credit_hold", _("Waiting for credit approval")  # over the credit limit
    SUBMITTED = "submitted", _("Submitted for review")
    CONFIRMED = "confirmed", _("Confirmed")  # reviewed; at least one line confirmed
    REJECTED = "rejected", _("Rejected")  # reviewed; every line rejected
    CANCELLED = "cancelled", _("Cancelled")


class PaymentMode(models.TextChoices):
    CREDIT = "credit", _("On account (credit)")
    PREPAY = "prepay", _("Prepayment")


class PaymentStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Not required")
    PENDING = "pending", _("Not yet paid")
    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")


class CreditStatus(models.TextChoices):
    WITHIN_LIMIT = "within_limit", _("Within the credit limit")
    SPECIAL_APPROVAL = "special_approval", _("Special approval")
    OVER_LIMIT = "over_limit", _("Over the credit limit")
    PREPAID = "prepaid", _("Prepaid")
    NOT_CHECKED = "not_checked", _("Not checked (placed in the ERP)")


class OrderSource(models.TextChoices):
    PORTAL = "portal", _("Portal")
    ERP = "erp", _("ERP")


class SalesOrder(SyncedFromErp):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("order number"), max_length=40, unique=True)
    erp_number = models.CharField(_("ERP order number"), max_length=40, blank=True)
    source = models.CharField(
        _("placed through"), max_length=10, choices=OrderSource.choices, default=OrderSource.PORTAL
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("sold by"))
    customer = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="sales_orders", verbose_name=_("customer")
    )
    customer_account = models.ForeignKey(
        CustomerAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer account")
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("placed by"),
    )
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.SUBMITTED)
    payment_mode = models.CharField(
        _("payment"), max_length=10, choices=PaymentMode.choices, default=PaymentMode.CREDIT
    )
    payment_status = models.CharField(
        _("payment status"), max_length=14, choices=PaymentStatus.choices, default=PaymentStatus.NOT_REQUIRED
    )
    credit_status = models.CharField(
        _("credit"), max_length=20, choices=CreditStatus.choices, default=CreditStatus.WITHIN_LIMIT
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    net_total = models.DecimalField(_("net total"), max_digits=20, decimal_places=2, default=Decimal("0.00"))
    tax_total = models.DecimalField(_("tax"), max_digits=20, decimal_places=2, default=Decimal("0.00"))
    gross_total = models.DecimalField(_("total"), max_digits=20, decimal_places=2, default=Decimal("0.00"))
    customer_po = models.CharField(_("your order reference"), max_length=60, blank=True)
    payment_terms = models.CharField(_("payment terms"), max_length=100, blank=True)
    ship_to = models.ForeignKey(
        PartnerAddress,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ship to"),
    )
    # What the customer chose, as it was at checkout (addresses and invoicing details may change later).
    ship_to_text = models.TextField(_("delivery address"), blank=True)
    invoicing = models.JSONField(_("invoicing details"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The language the customer ordered in: the confirmation e-mail and PDF use it.
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    placed_at = models.DateTimeField(_("placed"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager(partner_path="customer", company_path="company")

    class Meta:
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "erp_number"], condition=~Q(erp_number=""), name="sales_order_erp_number_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "status"], name="sales_order_company_status"),
            models.Index(fields=["customer", "-created_at"], name="sales_order_customer_recent"),
            models.Index(fields=["customer_account", "status"], name="sales_order_account_status"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def invoicing_rows(self) -> list[tuple[str, str]]:
        """The invoicing details as (label, value) in the reader's language, in the snapshot's order."""
        from django.core.exceptions import FieldDoesNotExist
        from django.utils.text import capfirst

        from portal.organisations.models import InvoicingDetails

        rows = []
        for name, value in (self.invoicing or {}).items():
            try:
                label = capfirst(InvoicingDetails._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:
                label = name
            rows.append((label, value))
        return rows


class LineStatus(models.TextChoices):
    OPEN = "open", _("Waiting for review")
    CONFIRMED = "confirmed", _("Confirmed")
    REDUCED = "reduced", _("Confirmed, reduced quantity")
    REJECTED = "rejected", _("Rejected")


class SalesOrderLine(models.Model):
    """One item of an order at the price resolved at submission (net, per `unit`), with the review's answer."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("line"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    unit = models.ForeignKey(UnitOfMeasure, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    quantity = models.DecimalField(_("quantity"), max_digits=20, decimal_places=4)
    unit_price = models.DecimalField(_("net unit price"), max_digits=20, decimal_places=4)
    # The company's list price at submission (empty when there is none): order review shows the deviation.
    list_price = models.DecimalField(_("list price"), max_digits=20, decimal_places=4, null=True, blank=True)
    price_source = models.CharField(_("price from"), max_length=60, blank=True)
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2)
    net_amount = models.DecimalField(_("net amount"), max_digits=20, decimal_places=2)
    tax_amount = models.DecimalField(_("tax"), max_digits=20, decimal_places=2)
    gross_amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)
    requested_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=LineStatus.choices, default=LineStatus.OPEN)
    confirmed_quantity = models.DecimalField(
        _("confirmed quantity"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    promised_date = models.DateField(_("promised date"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason"), blank=True)

    objects = ScopedQuerySet.as_manager(partner_path="order__customer", company_path="order__company")

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="sales_order_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_order_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_no}"


class OrderEvent(models.Model):
    """The order's history as its customer and its sales staff read it: what happened, who, when, what changed.
    `internal` entries (credit notes of sales) are shown to staff only."""

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    internal = models.BooleanField(default=False)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager(partner_path="order__customer", company_path="order__company")

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


class CustomerBalance(SyncedFromErp):
    """The customer's open receivables at one company as the ERP last reported them (invoiced, not yet paid)."""

    customer_account = models.OneToOneField(
        CustomerAccount, on_delete=models.CASCADE, related_name="balance", verbose_name=_("customer account")
    )
    open_receivables = models.DecimalField(
        _("open receivables"), max_digits=20, decimal_places=2, default=Decimal("0.00")
    )
    overdue = models.DecimalField(_("of which overdue"), max_digits=20, decimal_places=2, default=Decimal("0.00"))
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    as_of = models.DateTimeField(_("as of"))

    objects = ScopedQuerySet.as_manager(
        partner_path="customer_account__partner", company_path="customer_account__company"
    )

    class Meta:
        verbose_name = _("customer balance")
        verbose_name_plural = _("customer balances")

    def __str__(self) -> str:
        return f"{self.customer_account_id}: {self.open_receivables}"


class CreditApproval(models.Model):
    """A sales manager's special approval (特批): `amount` more credit for the customer at the company until
    `valid_until`; audited. Orders held for credit that now fit are released for review."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer_account = models.ForeignKey(
        CustomerAccount, on_delete=models.PROTECT, related_name="credit_approvals", verbose_name=_("customer account")
    )
    amount = models.DecimalField(_("additional credit"), max_digits=20, decimal_places=2)
    valid_until = models.DateTimeField(_("valid until"))
    reason = models.TextField(_("reason"))
    order = models.ForeignKey(
        SalesOrder, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("for order")
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager(company_path="customer_account__company")

    class Meta:
        verbose_name = _("special credit approval")
        verbose_name_plural = _("special credit approvals")
        ordering = ["-granted_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="credit_approval_amount_positive")]

    def __str__(self) -> str:
        return f"{self.customer_account_id} +{self.amount}"
