"""Specification attributes: a category's schema and the validation of an item's values against it.

Errors are keyed `attributes.<code>` so that a form, an import row and an API problem all name the field.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import AttributeType

ATTRIBUTE_CODE = r"^[a-z][a-z0-9_]{0,39}$"
_DEFINITION_KEYS = {"code", "label", "label_en", "type", "unit", "required", "choices", "min", "max"}


def validate_schema(schema: Any) -> list[dict]:
    """A category's attribute schema, checked: a list of definitions with unique codes and known types."""
    import re

    if not isinstance(schema, list):
        raise ValidationError({"attribute_schema": _("The attributes must be a list.")})
    errors: list[str] = []
    seen: set[str] = set()
    cleaned: list[dict] = []
    for position, definition in enumerate(schema, start=1):
        if not isinstance(definition, dict):
            errors.append(_("Attribute %(n)s is not an object.") % {"n": position})
            continue
        code = definition.get("code")
        if not isinstance(code, str) or not re.match(ATTRIBUTE_CODE, code):
            errors.append(_("Attribute %(n)s needs a code of lower-case letters, digits and _.") % {"n": position})
            continue
        if code in seen:
            errors.append(_("The attribute code %(code)s appears twice.") % {"code": code})
        seen.add(code)
        unknown = set(definition) - _DEFINITION_KEYS
        if unknown:
            errors.append(
                _("Attribute %(code)s has unknown keys: %(keys)s.") % {"code": code, "keys": ", ".join(sorted(unknown))}
            )
        kind = definition.get("type", AttributeType.TEXT)
        if kind not in AttributeType.values:
            errors.append(_("Attribute %(code)s has an unknown type %(type)s.") % {"code": code, "type": kind})
        choices = definition.get("choices")
        if kind == AttributeType.CHOICE and (
            not isinstance(choices, list) or not choices or not all(isinstance(c, str) for c in choices)
        ):
            errors.append(_("Attribute %(code)s needs a list of choices.") % {"code": code})
        for bound in ("min", "max"):
            if bound in definition and not _is_number(definition[bound]):
                errors.append(_("Attribute %(code)s: %(bound)s must be a number.") % {"code": code, "bound": bound})
        cleaned.append({key: value for key, value in definition.items() if key in _DEFINITION_KEYS} | {"type": kind})
    if errors:
        raise ValidationError({"attribute_schema": errors})
    return cleaned


def validate_attributes(schema: list[dict], values: Any) -> dict[str, Any]:
    """An item's specification values, cleaned to their types (decimals as strings, to keep them exact).

    Unknown codes, missing required values and values of the wrong type or out of range are errors.
    """
    if values in (None, ""):
        values = {}
    if not isinstance(values, dict):
        raise ValidationError({"attributes": _("The specification must be an object of attribute values.")})
    definitions = {definition["code"]: definition for definition in schema}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for code in values:
        if code not in definitions:
            known = ", ".join(definitions) or _("none")
            errors[f"attributes.{code}"] = [
                _("%(code)s is not an attribute of this category (known: %(known)s).") % {"code": code, "known": known}
            ]
    for code, definition in definitions.items():
        raw = values.get(code)
        if raw is None or raw == "":
            if definition.get("required"):
                errors[f"attributes.{code}"] = [_("%(label)s is required.") % {"label": _label(definition)}]
            continue
        try:
            cleaned[code] = _clean_value(definition, raw)
        except ValidationError as error:
            errors[f"attributes.{code}"] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _label(definition: dict) -> str:
    from django.utils.translation import get_language

    if (get_language() or "").startswith("en") and definition.get("label_en"):
        return definition["label_en"]
    return definition.get("label") or definition["code"]


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        Decimal(str(value))
    except (InvalidOperation, ValueError):
        return False
    return True


def _clean_value(definition: dict, raw: Any) -> Any:
    kind = definition.get("type", AttributeType.TEXT)
    label = _label(definition)
    if kind == AttributeType.TEXT:
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            raise ValidationError(_("%(label)s must be text.") % {"label": label})
        text = str(raw).strip()
        if len(text) > 200:
            raise ValidationError(_("%(label)s is longer than 200 characters.") % {"label": label})
        return text
    if kind == AttributeType.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        lowered = str(raw).strip().lower()
        if lowered in {"true", "yes", "1", "是", "y"}:
            return True
        if lowered in {"false", "no", "0", "否", "n"}:
            return False
        raise ValidationError(_("%(label)s must be yes or no.") % {"label": label})
    if kind == AttributeType.CHOICE:
        text = str(raw).strip()
        if text not in definition.get("choices", []):
            raise ValidationError(
                _("%(label)s must be one of %(choices)s, not %(value)s.")
                % {"label": label, "choices": ", ".join(definition.get("choices", [])), "value": text}
            )
        return text
    # Numbers: decimal or integer, with optional bounds.
    if isinstance(raw, bool) or not _is_number(raw):
        raise ValidationError(_("%(label)s must be a number, not %(value)s.") % {"label": label, "value": raw})
    number = Decimal(str(raw).strip())
    if not number.is_finite():
        raise ValidationError(_("%(label)s must be a number, not %(value)s.") % {"label": label, "value": raw})
    if kind == AttributeType.INTEGER and number != number.to_integral_value():
        raise ValidationError(_("%(label)s must be a whole number.") % {"label": label})
    unit = f" {definition['unit']}" if definition.get("unit") else ""
    if "min" in definition and number < Decimal(str(definition["min"])):
        raise ValidationError(
            _("%(label)s must be at least %(min)s%(unit)s.") % {"label": label, "min": definition["min"], "unit": unit}
        )
    if "max" in definition and number > Decimal(str(definition["max"])):
        raise ValidationError(
            _("%(label)s must be at most %(max)s%(unit)s.") % {"label": label, "max": definition["max"], "unit": unit}
        )
    if kind == AttributeType.INTEGER:
        return int(number)
    # Kept as a string: JSON floats would turn 0.1 into 0.1000000000000000055…
    return format(number.normalize(), "f")
