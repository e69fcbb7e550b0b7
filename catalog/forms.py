"""Back-office forms of the item master. They collect and shape input only: every change is validated again
and saved by catalog.services, whose errors (keyed `attributes.<code>`, `conversions.<unit>`, …) the views put
next to the matching field with `apply_service_errors`."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from wagtail.images import get_image_model

from .attributes import ATTRIBUTE_CODE
from .models import AttributeType, Category, Dimension, Item, ItemStatus, UnitOfMeasure, code_validator
from .selectors import category_tree, descendant_ids

ATTRIBUTE_PREFIX = "attr_"
INDENT = "\u3000"  # an ideographic space: indents Chinese names as wide as one character


def category_choices(categories: dict[int, Category], *, exclude: set[int] = frozenset(), blank: str = "") -> list:
    choices: list[tuple[str, str]] = [("", blank or "---------")]
    for category, depth in category_tree(categories.values()):
        if category.pk not in exclude:
            choices.append((str(category.pk), f"{INDENT * depth}{category.code} {category.display_name}"))
    return choices


class CategoryChoiceField(forms.TypedChoiceField):
    """A category chosen from the indented tree; cleans to the Category from the given dict (no query)."""

    def __init__(self, *, categories: dict[int, Category], exclude: set[int] = frozenset(), **kwargs: Any) -> None:
        self.categories = categories
        super().__init__(
            choices=category_choices(categories, exclude=exclude, blank=kwargs.pop("blank", "")),
            coerce=lambda value: self.categories[int(value)],
            empty_value=None,
            **kwargs,
        )

    def prepare_value(self, value: Any) -> Any:
        return str(value.pk) if isinstance(value, Category) else value

    def valid_value(self, value: Any) -> bool:
        return super().valid_value(self.prepare_value(value))


class ServiceValidated:
    """A field whose "required" is shown (the asterisk) but left to the service to check, so a missing value
    gets the same message in the form, the import and the API (“Thickness is required.”)."""

    def validate(self, value: Any) -> None:
        if value in self.empty_values or value is False:  # type: ignore[attr-defined]
            return
        super().validate(value)  # type: ignore[misc]


class AttributeChoiceField(ServiceValidated, forms.ChoiceField):
    pass


class AttributeBooleanField(ServiceValidated, forms.BooleanField):
    pass


class AttributeTextField(ServiceValidated, forms.CharField):
    pass


class UnitSuffixInput(forms.TextInput):
    """A text input followed by its unit (mm, kg …)."""

    def __init__(self, unit: str, attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.unit = unit

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> str:
        html = super().render(name, value, attrs, renderer)
        if not self.unit:
            return html
        return format_html(
            '<span class="catalog-unit-input">{}<span class="catalog-unit">{}</span></span>', html, self.unit
        )


def attribute_field(definition: dict) -> forms.Field:
    """The form field for one attribute of a category's schema. Values are validated by the service
    (catalog.attributes), so text and numbers arrive as typed; a required attribute is marked, and checked by
    the service."""
    kind = definition.get("type", AttributeType.TEXT)
    common: dict[str, Any] = {"label": _attribute_label(definition), "required": bool(definition.get("required"))}
    if kind == AttributeType.CHOICE:
        field: forms.Field = AttributeChoiceField(
            choices=[("", "---------"), *((choice, choice) for choice in definition.get("choices", []))], **common
        )
    elif kind == AttributeType.BOOLEAN:
        field = AttributeBooleanField(**common)
    elif kind in (AttributeType.DECIMAL, AttributeType.INTEGER):
        mode = "numeric" if kind == AttributeType.INTEGER else "decimal"
        field = AttributeTextField(
            widget=UnitSuffixInput(definition.get("unit", ""), attrs={"inputmode": mode, "size": 12}), **common
        )
        bounds = [
            f"≥ {definition['min']}" if "min" in definition else "",
            f"≤ {definition['max']}" if "max" in definition else "",
        ]
        if any(bounds):
            field.help_text = " ".join(bound for bound in bounds if bound)
    else:
        field = AttributeTextField(max_length=200, widget=UnitSuffixInput(definition.get("unit", "")), **common)
    field.attribute = definition  # type: ignore[attr-defined]
    return field


def _attribute_label(definition: dict) -> str:
    if (get_language() or "").startswith("en") and definition.get("label_en"):
        return definition["label_en"]
    return definition.get("label") or definition.get("label_en") or definition["code"]


class ItemForm(forms.Form):
    """An item with its specification: one field per attribute of the category's effective schema."""

    use_required_attribute = False  # the server's messages, next to the fields, in the person's language

    code = forms.CharField(
        label=gettext_lazy("Item code"),
        max_length=40,
        validators=[code_validator],
        help_text=gettext_lazy("Unique in the whole group; it never changes once the item exists."),
    )
    name = forms.CharField(label=gettext_lazy("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=200, required=False)
    base_unit = forms.ModelChoiceField(label=gettext_lazy("Base unit"), queryset=UnitOfMeasure.objects.none())
    is_purchasable = forms.BooleanField(label=gettext_lazy("Purchasable"), required=False)
    is_sellable = forms.BooleanField(label=gettext_lazy("Sellable"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ItemStatus.choices)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_en = forms.CharField(
        label=gettext_lazy("English description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        categories: dict[int, Category],
        units: list[UnitOfMeasure],
        item: Item | None = None,
        category: Category | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["category"] = CategoryChoiceField(label=_("Category"), categories=categories)
        self.order_fields(["code", "name", "name_en", "category"])
        self.fields["base_unit"].queryset = UnitOfMeasure.objects.filter(pk__in=[unit.pk for unit in units])
        self.fields["base_unit"].choices = [("", "---------")] + [
            (unit.pk, f"{unit.code} {unit.display_name}") for unit in units
        ]
        if item is not None:
            # Codes never change: the field is shown, not submitted.
            del self.fields["code"]
        self.schema_category = self._chosen_category(categories, category)
        self.attribute_codes: list[str] = []
        if self.schema_category is not None:
            for definition in self.schema_category.effective_schema():
                name = ATTRIBUTE_PREFIX + definition["code"]
                self.fields[name] = attribute_field(definition)
                self.attribute_codes.append(definition["code"])
        self.previous_attributes: dict = dict(item.attributes) if item is not None else {}

    def _chosen_category(self, categories: dict[int, Category], fallback: Category | None) -> Category | None:
        """The category whose attributes the form shows: the one submitted if it is a real one, else the given."""
        raw = self.data.get(self.add_prefix("category")) if self.is_bound else None
        if raw:
            try:
                return categories.get(int(raw), fallback)
            except (TypeError, ValueError):
                return fallback
        return fallback

    @property
    def attribute_fields(self) -> list[forms.BoundField]:
        return [self[ATTRIBUTE_PREFIX + code] for code in self.attribute_codes]

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [field for field in self if not field.name.startswith(ATTRIBUTE_PREFIX)]

    @staticmethod
    def initial_for(item: Item) -> dict[str, Any]:
        initial = {
            "name": item.name,
            "name_en": item.name_en,
            "category": item.category,
            "base_unit": item.base_unit_id,
            "is_purchasable": item.is_purchasable,
            "is_sellable": item.is_sellable,
            "status": item.status,
            "description": item.description,
            "description_en": item.description_en,
        }
        for code, value in (item.attributes or {}).items():
            initial[ATTRIBUTE_PREFIX + code] = value
        return initial

    def service_values(self) -> dict[str, Any]:
        """What item_upsert receives: the item's fields and its specification (empty values left out)."""
        data = self.cleaned_data
        attributes: dict[str, Any] = {}
        for code in self.attribute_codes:
            value = data.get(ATTRIBUTE_PREFIX + code)
            definition = self.fields[ATTRIBUTE_PREFIX + code].attribute
            if definition.get("type") == AttributeType.BOOLEAN:
                # An unticked box means "no" once the attribute is required or was set before; else "not given".
                if value or definition.get("required") or code in self.previous_attributes:
                    attributes[code] = bool(value)
                continue
            if isinstance(value, str):
                value = value.strip()
            if value not in (None, ""):
                attributes[code] = value
        return {
            "name": data["name"],
            "name_en": data["name_en"],
            "category": data["category"],
            "base_unit": data["base_unit"],
            "is_purchasable": data["is_purchasable"],
            "is_sellable": data["is_sellable"],
            "status": data["status"],
            "description": data["description"],
            "description_en": data["description_en"],
            "attributes": attributes,
        }


class ConversionForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=UnitOfMeasure.objects.none(), required=False)
    factor = forms.DecimalField(
        label=gettext_lazy("Base units per unit"),
        required=False,
        max_digits=24,
        decimal_places=10,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 14}),
    )

    def __init__(self, *args: Any, units: list[UnitOfMeasure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = UnitOfMeasure.objects.filter(pk__in=[unit.pk for unit in units])
        self.fields["unit"].choices = [("", "---------")] + [
            (unit.pk, f"{unit.code} {unit.display_name}") for unit in units
        ]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("unit") is not None and data.get("factor") is None and not self.has_error("factor"):
            self.add_error("factor", _("Enter how many base units one of this unit is."))
        if data.get("unit") is None and data.get("factor") is not None:
            self.add_error("unit", _("Choose the unit of this conversion."))
        return data


class BaseConversionFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            unit = form.cleaned_data.get("unit")
            if unit is None:
                continue
            if unit.pk in seen:
                form.add_error("unit", _("This unit appears twice."))
            seen.add(unit.pk)

    def conversions(self) -> dict[UnitOfMeasure, Decimal]:
        return {
            form.cleaned_data["unit"]: form.cleaned_data["factor"]
            for form in self.forms
            if form.cleaned_data.get("unit") is not None and not (self.can_delete and self._should_delete_form(form))
        }

    def form_for_unit(self, code: str) -> forms.Form | None:
        for form in self.forms:
            unit = form.cleaned_data.get("unit") if hasattr(form, "cleaned_data") else None
            if unit is not None and unit.code == code:
                return form
        return None


ConversionFormSet = forms.formset_factory(ConversionForm, formset=BaseConversionFormSet, extra=2, can_delete=True)


def apply_service_errors(error: ValidationError, form: forms.Form, conversions: Any = None) -> None:
    """Put the service's errors next to the matching fields; what matches no field goes to the form's top."""
    messages = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    for key, texts in messages.items():
        field: str | None = None
        target: forms.Form = form
        if key.startswith("attributes."):
            name = ATTRIBUTE_PREFIX + key.split(".", 1)[1]
            field = name if name in form.fields else None
        elif key.startswith("conversions.") and conversions is not None:
            row = conversions.form_for_unit(key.split(".", 1)[1])
            if row is not None:
                target, field = row, "factor"
        elif key in form.fields:
            field = key
        for text in texts:
            if field is None:
                form.add_error(None, f"{key}: {text}" if key not in ("__all__", "attributes") else text)
            else:
                target.add_error(field, text)


class ItemFilterForm(forms.Form):
    YES_NO = [("", gettext_lazy("Any")), ("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]

    q = forms.CharField(label=gettext_lazy("Search"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", gettext_lazy("Any")), *ItemStatus.choices]
    )
    purchasable = forms.ChoiceField(label=gettext_lazy("Purchasable"), required=False, choices=YES_NO)
    sellable = forms.ChoiceField(label=gettext_lazy("Sellable"), required=False, choices=YES_NO)

    def __init__(self, *args: Any, categories: dict[int, Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = CategoryChoiceField(
            label=_("Category"), categories=categories, required=False, blank=_("All categories")
        )
        self.order_fields(["q", "category", "status", "purchasable", "sellable"])

    @staticmethod
    def yes_no(value: str) -> bool | None:
        return {"yes": True, "no": False}.get(value)


class CategoryForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=40,
        validators=[code_validator],
        help_text=gettext_lazy("Unique; it never changes once the category exists."),
    )
    name = forms.CharField(label=gettext_lazy("Name (Chinese)"), max_length=100)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=100, required=False)
    sort_order = forms.IntegerField(label=gettext_lazy("Sort order"), initial=0)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args: Any, categories: dict[int, Category], category: Category | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        exclude: set[int] = set()
        if category is not None:
            del self.fields["code"]
            # Not under itself or its descendants (the service refuses it too).
            exclude = descendant_ids(category, categories)
        self.fields["parent"] = CategoryChoiceField(
            label=_("Parent"), categories=categories, exclude=exclude, required=False, blank=_("(top level)")
        )
        self.order_fields(["code", "name", "name_en", "parent"])


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class AttributeDefinitionForm(forms.Form):
    """One row of a category's attribute schema."""

    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=40, widget=forms.TextInput(attrs={"size": 12, "autocomplete": "off"})
    )
    label = forms.CharField(label=gettext_lazy("Chinese label"), max_length=100, required=False)
    label_en = forms.CharField(label=gettext_lazy("English label"), max_length=100, required=False)
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=AttributeType.choices, initial=AttributeType.TEXT)
    unit = forms.CharField(
        label=gettext_lazy("Unit"), max_length=20, required=False, widget=forms.TextInput(attrs={"size": 5})
    )
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    choices = forms.CharField(
        label=gettext_lazy("Choices"),
        required=False,
        help_text=gettext_lazy("Comma-separated, for “One of a list”."),
    )
    min = forms.DecimalField(label=gettext_lazy("Min"), required=False, widget=forms.TextInput(attrs={"size": 6}))
    max = forms.DecimalField(label=gettext_lazy("Max"), required=False, widget=forms.TextInput(attrs={"size": 6}))

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not re.match(ATTRIBUTE_CODE, code):
            raise ValidationError(_("Use lower-case letters, digits and _, starting with a letter."))
        return code

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("type")
        choices = [choice.strip() for choice in re.split(r"[,，]", data.get("choices") or "") if choice.strip()]
        data["choices"] = choices
        if kind == AttributeType.CHOICE and not choices:
            self.add_error("choices", _("List the choices, separated by commas."))
        if kind != AttributeType.CHOICE and choices:
            self.add_error("choices", _("Only “One of a list” attributes have choices."))
        numeric = kind in (AttributeType.DECIMAL, AttributeType.INTEGER)
        for bound in ("min", "max"):
            if data.get(bound) is not None and not numeric:
                self.add_error(bound, _("Only numbers have a minimum or maximum."))
        if data.get("min") is not None and data.get("max") is not None and data["min"] > data["max"]:
            self.add_error("max", _("The maximum is below the minimum."))
        return data

    def definition(self) -> dict:
        data = self.cleaned_data
        definition: dict[str, Any] = {"code": data["code"], "type": data["type"]}
        for key in ("label", "label_en", "unit"):
            if data.get(key):
                definition[key] = data[key].strip()
        if data.get("required"):
            definition["required"] = True
        if data.get("choices"):
            definition["choices"] = data["choices"]
        for bound in ("min", "max"):
            if data.get(bound) is not None:
                definition[bound] = _number(data[bound])
        return definition

    @staticmethod
    def initial_for(definition: dict) -> dict:
        return {
            **{key: definition.get(key, "") for key in ("code", "label", "label_en", "unit")},
            "type": definition.get("type", AttributeType.TEXT),
            "required": bool(definition.get("required")),
            "choices": ", ".join(definition.get("choices", [])),
            "min": definition.get("min"),
            "max": definition.get("max"),
        }


class BaseAttributeFormSet(forms.BaseFormSet):
    def _kept_forms(self) -> list[AttributeDefinitionForm]:
        """The rows that define an attribute: not removed, and not one of the empty rows left for adding."""
        return [
            form
            for form in self.forms
            if hasattr(form, "cleaned_data") and form.cleaned_data.get("code") and not self._should_delete_form(form)
        ]

    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self._kept_forms():
            code = form.cleaned_data["code"]
            if code in seen:
                form.add_error("code", _("The attribute code %(code)s appears twice.") % {"code": code})
            seen.add(code)

    def schema(self) -> list[dict]:
        return [form.definition() for form in self._kept_forms()]


AttributeFormSet = forms.formset_factory(
    AttributeDefinitionForm, formset=BaseAttributeFormSet, extra=2, can_delete=True
)


class UnitForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        validators=[code_validator],
        help_text=gettext_lazy("Unique; it never changes once the unit exists."),
    )
    name = forms.CharField(label=gettext_lazy("Name (Chinese)"), max_length=50)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=50, required=False)
    dimension = forms.ChoiceField(label=gettext_lazy("Dimension"), choices=Dimension.choices)
    factor = forms.DecimalField(
        label=gettext_lazy("Factor to the reference unit"),
        max_digits=24,
        decimal_places=10,
        min_value=Decimal("0.0000000001"),
        initial=Decimal("1"),
        help_text=gettext_lazy("How many reference units (kg, m, pcs …) one of this unit is: t = 1000 (kg)."),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args: Any, unit: UnitOfMeasure | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if unit is not None:
            del self.fields["code"]
            # Quantities already recorded in this unit would silently mean something else.
            self.fields["factor"].disabled = True
            self.fields["factor"].help_text = _(
                "Fixed once the unit exists: quantities recorded in this unit would change their meaning. "
                "Create a new unit instead."
            )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8 or GB18030) or Excel (.xlsx); at most 10,000 rows and 10 MB."),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class DatasheetForm(forms.Form):
    datasheet = forms.FileField(
        label=gettext_lazy("Datasheet"),
        help_text=gettext_lazy("PDF, images, Excel, Word or a zip archive."),
    )


class ItemImageForm(forms.Form):
    image = forms.ImageField(label=gettext_lazy("Upload an image"), required=False)
    existing = forms.ModelChoiceField(
        label=gettext_lazy("or choose one already in the image library"), queryset=None, required=False
    )
    caption = forms.CharField(label=gettext_lazy("Caption"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        images = get_image_model().objects.all()
        self.fields["existing"].queryset = images
        self.fields["existing"].choices = [("", "---------")] + [
            (image.pk, image.title) for image in images.order_by("-created_at")[:100]
        ]

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("image") and not data.get("existing"):
            raise ValidationError(_("Upload an image or choose one from the library."))
        return data
