"""The bid as a workbook (openpyxl): download the RFQ's lines, fill the offer offline, upload it back.

One row per line; the line's uuid sits in a hidden first column, so that a re-sorted sheet still maps back. The
headers are in the person's language; tax rate and invoice type cells carry a drop-down list. Uploading reads the
rows into `bidding.parse_bid` rows and turns its errors into "row 3, column Unit price: …" messages. A line's
last or target price is never written here. https://openpyxl.readthedocs.io/en/stable/
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from portal.core.errors import DomainError
from portal.documents.services import inspect_file

from . import bidding
from .bidding import BidContent, InvoiceType
from .supplier_forms import OFFER_FIELDS, TAX_RATES

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_ROW = 1
FIRST_ROW = 2
# the described columns before the offer's: uuid (hidden), position, item, quantity, unit, need by, site
DESCRIPTION_COLUMNS = 7
MAX_ROWS = 5000


class XlsxErrors(Exception):
    """The upload cannot be used; `messages` say where and why (nothing was saved)."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def _description_headers() -> list[str]:
    return [
        _("Line ID (do not change)"),
        _("Line"),
        _("Item / description"),
        _("Quantity"),
        _("Unit"),
        _("Need by"),
        _("Delivery site"),
    ]


def _offer_headers(alternative: bool) -> list[str]:
    labels = {
        "unit_price": _("Unit price (net, excl. VAT)"),
        "tax_rate": _("Tax rate (%)"),
        "invoice_type": _("Invoice type"),
        "lead_time_days": _("Lead time (days)"),
        "moq": _("Minimum order quantity"),
        "price_valid_until": _("Price valid until (YYYY-MM-DD)"),
        "comment": _("Comment"),
    }
    if alternative:
        labels = {key: _("Alternative: %(column)s") % {"column": label} for key, label in labels.items()}
        labels["comment"] = _("Alternative: what it offers instead")
    return [labels[key] for key in OFFER_FIELDS]


def _columns() -> dict[tuple[bool, str], int]:
    """(alternative, field) → 1-based column number."""
    columns = {}
    for index, key in enumerate(OFFER_FIELDS):
        columns[(False, key)] = DESCRIPTION_COLUMNS + 1 + index
        columns[(True, key)] = DESCRIPTION_COLUMNS + 1 + len(OFFER_FIELDS) + index
    return columns


def _invoice_labels() -> dict[str, str]:
    """Every spelling of an invoice type a filled sheet may hold (its code, and its label in each language)."""
    spellings = {value: value for value in InvoiceType.values}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in InvoiceType.choices:
                spellings[str(label).strip().lower()] = value
    return spellings


def _line_label(line: Any) -> str:
    if line.item_id:
        return f"{line.item.code} {line.item.display_name}"
    return line.description


def lines_workbook(rfq: Any, lines: list[Any], content: BidContent | None = None) -> bytes:
    """The RFQ's lines as an XLSX, with the offer (draft or last submission) when there is one."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = rfq.number[:31]
    headers = [*_description_headers(), *_offer_headers(False), *_offer_headers(True)]
    sheet.append(headers)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEF1F4")
    offer_fill = PatternFill("solid", fgColor="FFF8E1")
    for column, _header in enumerate(headers, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column)
        cell.font = bold
        cell.fill = offer_fill if column > DESCRIPTION_COLUMNS else fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    invoice_label = dict((value, str(label)) for value, label in InvoiceType.choices)
    columns = _columns()
    for line in lines:
        values: list[Any] = [
            str(line.uuid),
            line.position,
            _line_label(line),
            line.quantity,
            line.unit.code,
            line.need_by,
            line.site.name if line.site_id else "",
        ]
        values.extend([None] * (len(OFFER_FIELDS) * 2))
        for alternative in (False, True):
            row = content.row_for(line.uuid, alternative=alternative) if content else None
            if row is None:
                continue
            for key in OFFER_FIELDS:
                value = getattr(row, key)
                if key == "invoice_type":
                    value = invoice_label.get(value, value)
                values[columns[(alternative, key)] - 1] = value
        sheet.append(values)
    last_row = FIRST_ROW + len(lines) - 1
    for column in (4,):
        for row in range(FIRST_ROW, last_row + 1):
            sheet.cell(row=row, column=column).number_format = "0.####"
    for key in ("price_valid_until",):
        for alternative in (False, True):
            for row in range(FIRST_ROW, last_row + 1):
                sheet.cell(row=row, column=columns[(alternative, key)]).number_format = "yyyy-mm-dd"
    for row in range(FIRST_ROW, last_row + 1):
        sheet.cell(row=row, column=6).number_format = "yyyy-mm-dd"
    if lines:
        tax = DataValidation(
            type="list",
            formula1='"' + ",".join(TAX_RATES) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("Tax rate"),
            error=_("Choose a VAT rate: 13, 9, 6, 3, 1 or 0 %."),
        )
        invoice = DataValidation(
            type="list",
            formula1='"' + ",".join(str(label).replace(",", " ") for _value, label in InvoiceType.choices) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("Invoice type"),
            error=_("Choose the invoice you will issue."),
        )
        for alternative in (False, True):
            for validation, key in ((tax, "tax_rate"), (invoice, "invoice_type")):
                letter = get_column_letter(columns[(alternative, key)])
                validation.add(f"{letter}{FIRST_ROW}:{letter}{last_row}")
        sheet.add_data_validation(tax)
        sheet.add_data_validation(invoice)
    sheet.column_dimensions["A"].hidden = True
    widths = {2: 6, 3: 36, 4: 10, 5: 8, 6: 12, 7: 18}
    for column in range(2, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = widths.get(column, 18)
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=DESCRIPTION_COLUMNS + 1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell_text(value: Any) -> Any:
    """A cell's value as parse_bid takes it: numbers and dates as they are, text stripped."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return value.strip()
    return value


def read_rows(uploaded_file: Any, lines: list[Any]) -> list[dict[str, Any]]:
    """The offer rows of a filled workbook, each with `_row` (its sheet row); XlsxErrors when it is unusable."""
    name = getattr(uploaded_file, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise XlsxErrors([_("Upload the XLSX file you downloaded here (a .xlsx file).")])
    try:
        inspect_file(uploaded_file, name, max_bytes=settings.DOCUMENT_MAX_BYTES)
    except DomainError as error:
        raise XlsxErrors([error.message]) from error
    uploaded_file.seek(0)
    try:
        workbook = load_workbook(uploaded_file, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        sheet_rows = list(sheet.iter_rows(min_row=FIRST_ROW, max_row=FIRST_ROW + MAX_ROWS, values_only=True))
    except Exception as error:  # openpyxl raises many kinds for a damaged file; all mean "cannot read it"
        raise XlsxErrors([_("The file could not be read as an XLSX workbook.")]) from error
    known = {str(line.uuid) for line in lines}
    invoice_spellings = _invoice_labels()
    columns = _columns()
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    for offset, values in enumerate(sheet_rows):
        number = FIRST_ROW + offset
        values = list(values) + [None] * (DESCRIPTION_COLUMNS + 2 * len(OFFER_FIELDS) - len(values))
        line_id = str(values[0] or "").strip()
        offers = [values[columns[(alternative, key)] - 1] for alternative in (False, True) for key in OFFER_FIELDS]
        if not line_id and all(value in (None, "") for value in offers):
            continue
        if line_id not in known:
            errors.append(
                _("Row %(row)s: this row is not a line of the RFQ. Download the file again and keep the first column.")
                % {"row": number}
            )
            continue
        for alternative in (False, True):
            row: dict[str, Any] = {"line": line_id, "alternative": "1" if alternative else "", "_row": number}
            for key in OFFER_FIELDS:
                value = _cell_text(values[columns[(alternative, key)] - 1])
                if key == "invoice_type" and isinstance(value, str) and value:
                    value = invoice_spellings.get(value.lower(), value)
                row[key] = "" if value is None else value
            rows.append(row)
    if errors:
        raise XlsxErrors(errors)
    return rows


def parse_rows(rfq: Any, rows: list[dict[str, Any]], *, comment: str = "") -> BidContent:
    """The rows through `bidding.parse_bid`; its errors as "row 3, column Unit price: …" (XlsxErrors)."""
    try:
        return bidding.parse_bid(rfq, [{k: v for k, v in row.items() if k != "_row"} for row in rows], comment)
    except ValidationError as error:
        raise XlsxErrors(_cell_messages(rows, error.message_dict)) from error


def _cell_messages(rows: list[dict[str, Any]], message_dict: dict[str, list[str]]) -> list[str]:
    row_of = {(row["line"], bool(row["alternative"])): row["_row"] for row in rows}
    headers = {
        alternative: dict(zip(OFFER_FIELDS, _offer_headers(alternative), strict=True)) for alternative in (False, True)
    }
    located: list[tuple[int, int, str]] = []
    general: list[str] = []
    order = {key: index for index, key in enumerate(OFFER_FIELDS)}
    for key, messages in message_dict.items():
        parts = key.split(".")
        alternative = len(parts) == 3 and parts[1] == "alt"
        field = parts[-1]
        number = row_of.get((parts[0], alternative)) if len(parts) >= 2 else None
        if number is None and len(parts) >= 2:
            number = row_of.get((parts[0], False))
        if number is None or field not in order:
            general.extend(str(message) for message in messages)
            continue
        for message in messages:
            located.append(
                (
                    number,
                    order[field] + (len(OFFER_FIELDS) if alternative else 0),
                    _("Row %(row)s, column %(column)s: %(message)s")
                    % {"row": number, "column": headers[alternative][field], "message": message},
                )
            )
    return [message for _row, _column, message in sorted(located)] + general
