"""The supplier's forms: the bid form's per-line entries (named "<line uuid>.<field>" and
"<line uuid>.alt.<field>", the keys `bidding.parse_bid` reports its errors under), questions, declining,
attachments and the XLSX upload. The bid's rules live in `bidding.parse_bid`; these only carry the values."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.documents.services import ALLOWED_TYPES

from .models import Envelope

# Offer fields of a line, in the order of the form and the XLSX columns.
OFFER_FIELDS = ("unit_price", "tax_rate", "invoice_type", "lead_time_days", "moq", "price_valid_until", "comment")
# China's VAT rates (percent) a supplier may invoice at; 0 for exempt or zero-rated.
TAX_RATES = ("13", "9", "6", "3", "1", "0")
ALTERNATIVE = "alt"


def field_labels() -> dict[str, Any]:
    return {
        "unit_price": _("Unit price (net, excl. VAT)"),
        "tax_rate": _("Tax rate"),
        "invoice_type": _("Invoice type"),
        "lead_time_days": _("Lead time (days)"),
        "moq": _("Minimum order quantity"),
        "price_valid_until": _("Price valid until"),
        "comment": _("Comment"),
    }


def plain(value: Any) -> str:
    """A value as the form shows it: decimals without exponent or trailing zeros, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass
class EntryField:
    name: str  # the HTML name and the error key
    key: str  # the offer field
    label: Any
    value: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class OfferEntry:
    """One offer (the line's main offer or its alternative) as the form shows it."""

    prefix: str
    fields: dict[str, EntryField]

    def __getattr__(self, name: str) -> EntryField:
        try:
            return self.__dict__["fields"][name]
        except KeyError as error:
            raise AttributeError(name) from error

    @property
    def has_values(self) -> bool:
        return any(entry.value for entry in self.fields.values())

    @property
    def has_errors(self) -> bool:
        return any(entry.errors for entry in self.fields.values())

    def row(self, line_uuid: str, alternative: bool) -> dict[str, str]:
        return {
            "line": line_uuid,
            "alternative": "1" if alternative else "",
            **{key: entry.value for key, entry in self.fields.items()},
        }


@dataclass
class LineEntry:
    line: Any
    main: OfferEntry
    alternative: OfferEntry
    # the alternative has values: its box shows open
    offers_alternative: bool = False


def offer_prefix(line_uuid: Any, alternative: bool = False) -> str:
    return f"{line_uuid}.{ALTERNATIVE}" if alternative else str(line_uuid)


def _entry(prefix: str, values: dict[str, str] | None = None) -> OfferEntry:
    labels = field_labels()
    values = values or {}
    return OfferEntry(
        prefix=prefix,
        fields={
            key: EntryField(name=f"{prefix}.{key}", key=key, label=labels[key], value=values.get(key, ""))
            for key in OFFER_FIELDS
        },
    )


def entries_from_content(lines: list[Any], content: Any | None) -> list[LineEntry]:
    """The form pre-filled from a bid's content (a draft or the last submission), or empty."""
    offers: dict[tuple[str, bool], dict[str, str]] = {}
    for row in getattr(content, "rows", None) or []:
        offers[(str(row.line), bool(row.alternative))] = {key: plain(getattr(row, key, None)) for key in OFFER_FIELDS}
    entries = []
    for line in lines:
        main = offers.get((str(line.uuid), False))
        alternative = offers.get((str(line.uuid), True))
        entries.append(
            LineEntry(
                line=line,
                main=_entry(offer_prefix(line.uuid), main),
                alternative=_entry(offer_prefix(line.uuid, True), alternative),
                offers_alternative=alternative is not None,
            )
        )
    return entries


def entries_from_post(lines: list[Any], data: Any) -> list[LineEntry]:
    """The form as the supplier posted it."""
    entries = []
    for line in lines:
        values = {}
        for alternative in (False, True):
            prefix = offer_prefix(line.uuid, alternative)
            values[alternative] = {key: (data.get(f"{prefix}.{key}") or "").strip() for key in OFFER_FIELDS}
        alternative_entry = _entry(offer_prefix(line.uuid, True), values[True])
        entries.append(
            LineEntry(
                line=line,
                main=_entry(offer_prefix(line.uuid), values[False]),
                alternative=alternative_entry,
                offers_alternative=alternative_entry.has_values,
            )
        )
    return entries


def rows_of(entries: list[LineEntry]) -> list[dict[str, str]]:
    """The rows for `bidding.parse_bid` (which skips a row with nothing offered): each line's offer and its
    alternative."""
    rows = []
    for entry in entries:
        rows.append(entry.main.row(str(entry.line.uuid), False))
        rows.append(entry.alternative.row(str(entry.line.uuid), True))
    return rows


def attach_errors(entries: list[LineEntry], message_dict: dict[str, list[str]]) -> list[str]:
    """Put parse_bid's errors next to their fields; return the ones that belong to no field."""
    by_name: dict[str, EntryField] = {}
    for entry in entries:
        for offer in (entry.main, entry.alternative):
            for item in offer.fields.values():
                by_name[item.name] = item
    general = []
    for key, messages in message_dict.items():
        target = by_name.get(key)
        if target is not None:
            target.errors.extend(str(message) for message in messages)
        elif key != "comment":
            general.extend(str(message) for message in messages)
    return general


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The buyer's answer goes to every invited supplier; your name is not shown to them."),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you decline?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The buyer sees your reason. You cannot bid on this RFQ after declining."),
    )


def accepted_file_types() -> str:
    return ",".join(f".{extension}" for extension in sorted(ALLOWED_TYPES))


class AttachmentForm(forms.Form):
    envelope = forms.ChoiceField(label=_("Envelope"), choices=Envelope.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("Allowed types: %(types)s.") % {"types": ", ".join(sorted(ALLOWED_TYPES))},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = accepted_file_types()


class XlsxUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled XLSX file"),
        help_text=_(
            "The file you downloaded here, with your prices filled in. It is saved as a draft for you to check."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
