"""The item master (物品标准化): one item code system for the whole group.

`Category` is a tree whose nodes define the specification attributes of their items (a child inherits its
ancestors' attributes); `UnitOfMeasure` knows its dimension and its factor to that dimension's reference unit
(t = 1000 kg); `ItemUnitConversion` adds what only an item knows (one piece of this plate weighs 0.125 t).
"""

import uuid
from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.integration.models import SyncedFromErp

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$",
    _("Use letters, digits and . _ - / only, starting with a letter or digit."),
)


class Localised:
    """`display_name`: the English name for English readers when there is one, else the Chinese name."""

    name: str
    name_en: str

    @property
    def display_name(self) -> str:
        language = (get_language() or "zh-hans").lower()
        if language.startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Dimension(models.TextChoices):
    COUNT = "count", _("Count")
    MASS = "mass", _("Mass")
    LENGTH = "length", _("Length")
    AREA = "area", _("Area")
    VOLUME = "volume", _("Volume")
    TIME = "time", _("Time")
    OTHER = "other", _("Other")


class UnitOfMeasure(Localised, SyncedFromErp):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices, default=Dimension.COUNT)
    # How many reference units of the dimension one of this unit is (kg for mass, m for length, pcs for count).
    # Units of the same dimension convert into each other for every item; others need an item conversion.
    factor = models.DecimalField(
        _("factor to reference unit"),
        max_digits=24,
        decimal_places=10,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.0000000001"))],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")
        ordering = ["dimension", "factor", "code"]
        constraints = [models.CheckConstraint(condition=Q(factor__gt=0), name="unit_factor_positive")]

    def __str__(self) -> str:
        return self.code


class AttributeType(models.TextChoices):
    TEXT = "text", _("Text")
    DECIMAL = "decimal", _("Number")
    INTEGER = "integer", _("Whole number")
    BOOLEAN = "boolean", _("Yes / no")
    CHOICE = "choice", _("One of a list")


class Category(Localised, SyncedFromErp):
    """A node of the item category tree. `attribute_schema` lists the attributes its items carry:

        [{"code": "thickness", "label": "厚度", "label_en": "Thickness", "type": "decimal", "unit": "mm",
          "required": true, "min": 0.1, "max": 300}, {"code": "grade", "type": "choice", "choices": ["Q235B", …]}]

    Items of a category carry its own attributes and those of every ancestor (catalog.attributes)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    attribute_schema = models.JSONField(_("attributes"), default=list, blank=True)
    sort_order = models.IntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("item category")
        verbose_name_plural = _("item categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    def ancestors(self) -> list["Category"]:
        """The chain from the root down to this category's parent (guarded against a cycle)."""
        chain: list[Category] = []
        seen = {self.pk}
        node = self.parent
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return list(reversed(chain))

    def effective_schema(self) -> list[dict]:
        """Own attributes plus the ancestors' (root first); a child's definition wins on a shared code."""
        merged: dict[str, dict] = {}
        for node in [*self.ancestors(), self]:
            for definition in node.attribute_schema or []:
                merged[definition["code"]] = definition
        return list(merged.values())


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being described; not yet bought or sold
    ACTIVE = "active", _("Active")
    BLOCKED = "blocked", _("Blocked")  # no new RFQs, orders or prices
    OBSOLETE = "obsolete", _("Obsolete")  # kept for history


class Item(Localised, SyncedFromErp):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("item code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items", verbose_name=_("category"))
    base_unit = models.ForeignKey(
        UnitOfMeasure, on_delete=models.PROTECT, related_name="+", verbose_name=_("base unit")
    )
    is_purchasable = models.BooleanField(_("purchasable"), default=True)
    is_sellable = models.BooleanField(_("sellable"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.ACTIVE)
    # Specification values keyed by the category's attribute codes, validated by catalog.attributes.
    attributes = models.JSONField(_("specification"), default=dict, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    # How the item is sold (the storefront, the cart and order review): customers order in the sales unit (the
    # base unit when empty), at least `min_order_quantity` of it and in multiples of `order_multiple` (0: any);
    # `lead_time_days` is how long making or buying it takes when there is no stock.
    sales_unit = models.ForeignKey(
        UnitOfMeasure, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("sales unit")
    )
    min_order_quantity = models.DecimalField(
        _("minimum order quantity"),
        max_digits=20,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    order_multiple = models.DecimalField(
        _("order in multiples of"),
        max_digits=20,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # What search finds the item by (catalog.search.search_document), written by item_upsert / item_upsert_many;
    # indexed for full-text and trigram search on PostgreSQL (migration 0002).
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["code"]
        indexes = [models.Index(fields=["category", "status"], name="item_category_status")]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def sales_unit_or_base_id(self) -> int:
        return self.sales_unit_id or self.base_unit_id


class ItemUnitConversion(models.Model):
    """One `unit` of this item is `factor` of its base unit (e.g. 1 pcs = 0.125 t for a plate whose base unit is
    t). Needed only across dimensions; within a dimension the units' own factors convert."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="conversions", verbose_name=_("item"))
    unit = models.ForeignKey(UnitOfMeasure, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    factor = models.DecimalField(
        _("base units per unit"),
        max_digits=24,
        decimal_places=10,
        validators=[MinValueValidator(Decimal("0.0000000001"))],
    )

    class Meta:
        verbose_name = _("unit conversion")
        verbose_name_plural = _("unit conversions")
        constraints = [
            models.UniqueConstraint(fields=["item", "unit"], name="item_unit_conversion_unique"),
            models.CheckConstraint(condition=Q(factor__gt=0), name="item_unit_conversion_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.unit.code} = {self.factor} {self.item.base_unit.code}"


class ItemImage(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="images", verbose_name=_("item"))
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    sort_order = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("item image")
        verbose_name_plural = _("item images")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.caption or f"{self.item.code} #{self.sort_order}"


class SearchWord(models.Model):
    """A latin word (letters and digits, three or more characters, not only digits) of some item's search text:
    the vocabulary that the storefront corrects a misspelt query word against (catalog.search). Words are added
    as items are written and not removed: a word no item holds any more only leads to a search that finds
    nothing."""

    word = models.CharField(max_length=60, unique=True)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")

    def __str__(self) -> str:
        return self.word
