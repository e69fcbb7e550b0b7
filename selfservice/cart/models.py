"""The shopping cart: one per (user, customer partner). Lines name the selling company, because a group company
sells the item at its own price; checkout turns a cart into one order per selling company."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Item, UnitOfMeasure
from portal.organisations.access import ScopedQuerySet
from portal.organisations.models import Company, Partner


class Cart(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager(partner_path="customer")

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        constraints = [models.UniqueConstraint(fields=["user", "customer"], name="cart_unique_per_user_customer")]

    def __str__(self) -> str:
        return f"cart {self.user_id}/{self.customer_id}"


class CartLine(models.Model):
    """Quantity in the item's sales unit (minimum and multiples are checked by the cart services)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("sold by"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    unit = models.ForeignKey(UnitOfMeasure, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    quantity = models.DecimalField(_("quantity"), max_digits=20, decimal_places=4)
    requested_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager(partner_path="cart__customer")

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "company", "item", "unit"], name="cart_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=Decimal("0")), name="cart_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} × {self.quantity}"
