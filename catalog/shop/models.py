"""The storefront's own data: the ERP's finished-goods stock (an availability hint on item pages and in order
review) and customers' requests for a quote on items that have no price for them yet."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Item, UnitOfMeasure
from portal.integration.models import SyncedFromErp
from portal.organisations.access import ScopedQuerySet
from portal.organisations.models import Company, Partner, Warehouse


class ItemStock(SyncedFromErp):
    """Finished-goods stock of one item in one warehouse of a company, as the ERP last pushed it, in the item's
    base unit. `available` is on hand minus reserved (what could still be promised)."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("company"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="stock", verbose_name=_("item"))
    on_hand = models.DecimalField(_("on hand"), max_digits=20, decimal_places=4, default=Decimal("0"))
    available = models.DecimalField(_("available"), max_digits=20, decimal_places=4, default=Decimal("0"))
    as_of = models.DateTimeField(_("as of"))

    objects = ScopedQuerySet.as_manager(company_path="company")

    class Meta:
        verbose_name = _("item stock")
        verbose_name_plural = _("item stock")
        constraints = [models.UniqueConstraint(fields=["warehouse", "item"], name="item_stock_unique")]
        indexes = [models.Index(fields=["item", "company"], name="item_stock_item_company")]

    def __str__(self) -> str:
        return f"{self.item_id} @ {self.warehouse_id}: {self.available}"


class QuoteRequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for sales")
    ANSWERED = "answered", _("Price given")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class QuoteRequest(models.Model):
    """A customer asks a selling company for a price of an item it has no price for. Sales answer with a
    customer-specific price (a line of the customer's price list) or decline with a reason."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("number"), max_length=30, unique=True)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("company"))
    customer = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="quote_requests", verbose_name=_("customer")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    quantity = models.DecimalField(_("quantity"), max_digits=20, decimal_places=4)
    unit = models.ForeignKey(UnitOfMeasure, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=QuoteRequestStatus.choices, default=QuoteRequestStatus.OPEN
    )
    # The answer: the customer price list line created for it, or the reason for declining.
    price_line = models.ForeignKey(
        "pricing.PriceListLine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("price given"),
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager(partner_path="customer", company_path="company")

    class Meta:
        verbose_name = _("quote request")
        verbose_name_plural = _("quote requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="quote_request_quantity_positive"),
        ]
        indexes = [models.Index(fields=["company", "status"], name="quote_request_company_status")]

    def __str__(self) -> str:
        return self.number
