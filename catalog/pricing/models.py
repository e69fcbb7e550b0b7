"""Price lists of the group's selling companies: the company's list prices, customer-group prices and
customer-specific prices, each line with a quantity break and its own validity. How a price is chosen for one
customer is told in catalog.pricing.selectors."""

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Item, Localised, UnitOfMeasure, code_validator
from portal.integration.models import SyncedFromErp
from portal.organisations.access import ScopedQuerySet
from portal.organisations.models import Company, Partner, currency_validator

DEFAULT_TAX_RATE = Decimal("13.00")  # the mainland's standard VAT rate on goods (增值税 13%)


class CustomerGroup(Localised, models.Model):
    """Customers of one company that share prices (e.g. distributors, key accounts)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="customer_groups", verbose_name=_("company")
    )
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager(company_path="company")

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        ordering = ["company", "code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="customer_group_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"


class CustomerGroupMember(models.Model):
    group = models.ForeignKey(
        CustomerGroup, on_delete=models.CASCADE, related_name="members", verbose_name=_("customer group")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="customer_group_memberships", verbose_name=_("customer")
    )

    objects = ScopedQuerySet.as_manager(company_path="group__company")

    class Meta:
        verbose_name = _("customer group member")
        verbose_name_plural = _("customer group members")
        constraints = [models.UniqueConstraint(fields=["group", "partner"], name="customer_group_member_unique")]

    def __str__(self) -> str:
        return f"{self.group.code}: {self.partner}"


class PriceListKind(models.TextChoices):
    LIST = "list", _("List price")  # the company's price for every customer
    GROUP = "group", _("Customer group price")  # for the customers of one customer group
    CUSTOMER = "customer", _("Customer price")  # for one customer


class PriceList(SyncedFromErp):
    """A set of prices of one selling company, in one currency, for everyone, a customer group or one customer.

    `valid_from` and `valid_until` are calendar days in the company's time zone, both inclusive; empty is open."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="price_lists", verbose_name=_("company")
    )
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    kind = models.CharField(_("kind"), max_length=10, choices=PriceListKind.choices, default=PriceListKind.LIST)
    customer_group = models.ForeignKey(
        CustomerGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="price_lists",
        verbose_name=_("customer group"),
    )
    customer = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="price_lists",
        verbose_name=_("customer"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager(company_path="company")

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["company", "code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="price_list_code_unique"),
            models.CheckConstraint(
                condition=(
                    Q(kind=PriceListKind.LIST, customer_group__isnull=True, customer__isnull=True)
                    | Q(kind=PriceListKind.GROUP, customer_group__isnull=False, customer__isnull=True)
                    | Q(kind=PriceListKind.CUSTOMER, customer_group__isnull=True, customer__isnull=False)
                ),
                name="price_list_kind_matches_target",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="price_list_validity_ordered",
            ),
        ]
        indexes = [models.Index(fields=["company", "kind", "is_active"], name="price_list_company_kind")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.kind == PriceListKind.GROUP and self.customer_group_id is None:
            raise ValidationError({"customer_group": _("A customer group price list needs its customer group.")})
        if self.kind == PriceListKind.CUSTOMER and self.customer_id is None:
            raise ValidationError({"customer": _("A customer price list needs its customer.")})
        if self.kind != PriceListKind.GROUP and self.customer_group_id is not None:
            raise ValidationError({"customer_group": _("Only a customer group price list names a customer group.")})
        if self.kind != PriceListKind.CUSTOMER and self.customer_id is not None:
            raise ValidationError({"customer": _("Only a customer price list names a customer.")})
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end of validity cannot come before its start.")})


class PriceListLine(models.Model):
    """The net price of one item per `unit` (the sales unit; the item's base unit unless said otherwise), from
    `min_quantity` of that unit on (0: from the first unit), optionally within its own validity days."""

    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="lines", verbose_name=_("price list")
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="price_lines", verbose_name=_("item"))
    unit = models.ForeignKey(
        UnitOfMeasure, on_delete=models.PROTECT, blank=True, related_name="+", verbose_name=_("sales unit")
    )
    min_quantity = models.DecimalField(
        _("from quantity"),
        max_digits=20,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    unit_price = models.DecimalField(
        _("net unit price"), max_digits=20, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_TAX_RATE,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager(company_path="price_list__company")

    class Meta:
        verbose_name = _("price list line")
        verbose_name_plural = _("price list lines")
        ordering = ["price_list", "item", "unit", "min_quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "item", "unit", "min_quantity", "valid_from"],
                name="price_list_line_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(condition=Q(min_quantity__gte=0), name="price_list_line_min_quantity"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="price_list_line_price"),
            models.CheckConstraint(condition=Q(tax_rate__gte=0, tax_rate__lte=100), name="price_list_line_tax"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="price_list_line_validity_ordered",
            ),
        ]
        # The unique constraint's index starts with (price_list, item); the category page and the cart look up
        # lines by item first (item_id IN (...)) and then join their lists.
        indexes = [models.Index(fields=["item", "price_list"], name="price_line_item_list")]

    def __str__(self) -> str:
        return f"{self.price_list.code} {self.item.code} ≥{self.min_quantity}: {self.unit_price}"

    def clean(self) -> None:
        super().clean()
        if self.unit_id is None and self.item_id is not None:
            self.unit_id = self.item.base_unit_id
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end of validity cannot come before its start.")})
