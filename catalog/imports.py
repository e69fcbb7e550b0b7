"""Bulk import of the item master from CSV or Excel: read, plan (the dry run), apply.

`read_table` turns an upload into rows of text; `plan_import` checks every row against the categories, units
and items it loads once (no query per row) and says for each row whether it creates, changes (and what),
leaves unchanged or is an error (row number, column, message); `apply_import` plans again and, when nothing
is wrong, applies every row through `item_upsert_many` (catalog.bulk: item_upsert's decisions, audit rows and
events, in a few queries for the whole file) in one transaction, so an import is applied whole or not at all.

Columns: code, name, name_en, category, base_unit, is_purchasable, is_sellable, status, description,
description_en, `attr:<code>` per attribute and `conv:<unit>` per unit conversion. A column left out keeps the
item's current value; an empty cell clears it (and a required value left empty is an error).
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from portal.core.errors import DomainError

from .attributes import validate_attributes
from .bulk import ItemChange, item_upsert_many
from .models import Category, Item, ItemStatus, UnitOfMeasure
from .selectors import categories_linked, units_by_code

MAX_ROWS = 10_000
MAX_BYTES = 10 * 1024 * 1024
ITEM_COLUMNS = [
    "code",
    "name",
    "name_en",
    "category",
    "base_unit",
    "is_purchasable",
    "is_sellable",
    "status",
    "description",
    "description_en",
]
ATTRIBUTE_COLUMN = "attr:"
CONVERSION_COLUMN = "conv:"
TRUE_WORDS = {"true", "yes", "y", "1", "是", "x", "✓"}
FALSE_WORDS = {"false", "no", "n", "0", "否"}
# fields compared for the preview, in the order a change is shown
COMPARED_FIELDS = [name for name in ITEM_COLUMNS if name != "code"] + ["attributes"]


class ImportFileError(DomainError):
    """The file as a whole cannot be imported (unreadable, too large, unknown columns)."""


@dataclass
class Table:
    header: list[str]
    # (spreadsheet row number, {column: text}); the header is row 1
    rows: list[tuple[int, dict[str, str]]]


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class PlannedRow:
    row: int
    code: str
    action: str = "unchanged"  # create, change, unchanged or error
    # field → (before, after) as text, for the preview
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    conversions: dict[UnitOfMeasure, Decimal] | None = None


@dataclass
class ImportPlan:
    rows: list[PlannedRow]
    file_errors: list[RowError] = field(default_factory=list)

    @property
    def errors(self) -> list[RowError]:
        return [*self.file_errors, *(error for row in self.rows for error in row.errors)]

    @property
    def can_apply(self) -> bool:
        return not self.errors and any(row.action in ("create", "change") for row in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)


# Reading ---------------------------------------------------------------------------------------------------


def read_table(name: str, content: bytes) -> Table:
    """The upload's rows as text; ImportFileError (translated) when it cannot be read."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 10 MB. Split it into several imports."))
    extension = os.path.splitext(name)[1].lower()
    if extension == ".xlsx":
        raw_rows = _xlsx_rows(content)
    elif extension in (".csv", ".txt"):
        raw_rows = _csv_rows(content)
    else:
        raise ImportFileError(_("Upload a CSV file or an Excel workbook (.xlsx)."))
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(raw_rows, start=1):
        texts = [_text(cell) for cell in cells]
        if header is None:
            if not any(texts):
                continue
            header = _header(texts)
            header_row = number
            continue
        if not any(texts):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(_("The file has more than 10,000 rows. Split it into several imports."))
        rows.append((number, {column: texts[i] if i < len(texts) else "" for i, column in enumerate(header) if column}))
    if header is None:
        raise ImportFileError(_("The file is empty."))
    if "code" not in header:
        raise ImportFileError(_("Row %(row)s must name the columns, starting with “code”.") % {"row": header_row})
    return Table(header=[column for column in header if column], rows=rows)


def _header(texts: list[str]) -> list[str]:
    header = []
    for text in texts:
        text = text.strip()
        lowered = text.lower()
        if lowered.startswith(ATTRIBUTE_COLUMN):
            header.append(ATTRIBUTE_COLUMN + text[len(ATTRIBUTE_COLUMN) :].strip())
        elif lowered.startswith(CONVERSION_COLUMN):
            header.append(CONVERSION_COLUMN + text[len(CONVERSION_COLUMN) :].strip())
        else:
            header.append(lowered)
    return header


def _csv_rows(content: bytes) -> list[list[str]]:
    # UTF-8 (with or without the BOM Excel writes); else GB18030, what Excel on a Chinese Windows saves.
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError as error:
            raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 text.")) from error
    if "\x00" in text:
        raise ImportFileError(_("The CSV file contains binary data, not text."))
    return list(csv.reader(io.StringIO(text, newline="")))


def _xlsx_rows(content: bytes) -> list[tuple]:
    # https://openpyxl.readthedocs.io/en/stable/optimized.html (read-only mode streams the sheet)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ImportFileError(_("The file is not an Excel workbook (.xlsx) that can be read.")) from error
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for cells in sheet.iter_rows(values_only=True):
            rows.append(cells)
            if len(rows) > MAX_ROWS + 50:
                raise ImportFileError(_("The file has more than 10,000 rows. Split it into several imports."))
        return rows
    finally:
        workbook.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # Excel stores 10 as 10.0 and 0.1 as the nearest double: show them as a person typed them.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


# Planning --------------------------------------------------------------------------------------------------


@dataclass
class _Reference:
    categories: dict[str, Category]
    units: dict[str, UnitOfMeasure]
    items: dict[str, Item]


def _load_reference(codes: list[str]) -> _Reference:
    """Everything the rows refer to, in four queries whatever the number of rows."""
    linked = categories_linked()
    units = units_by_code()
    units_by_pk = {unit.pk: unit for unit in units.values()}
    items: dict[str, Item] = {}
    for start in range(0, len(codes), 2000):
        chunk = codes[start : start + 2000]
        for item in Item.objects.filter(code__in=chunk).prefetch_related("conversions__unit"):
            # the category and unit loaded above, not a query per item
            item.category = linked.get(item.category_id) or item.category
            item.base_unit = units_by_pk.get(item.base_unit_id) or item.base_unit
            items[item.code] = item
    return _Reference(categories={category.code: category for category in linked.values()}, units=units, items=items)


def plan_import(table: Table) -> ImportPlan:
    """The dry run: what each row would do, and every error with its row and column. Writes nothing."""
    file_errors: list[RowError] = []
    reference = _load_reference([values.get("code", "") for _number, values in table.rows])
    for column in table.header:
        if column.startswith(ATTRIBUTE_COLUMN) or column in ITEM_COLUMNS:
            continue
        if column.startswith(CONVERSION_COLUMN):
            if column[len(CONVERSION_COLUMN) :] not in reference.units:
                file_errors.append(RowError(1, column, _("There is no unit with this code.")))
            continue
        file_errors.append(RowError(1, column, _("Unknown column.")))
    if len(set(table.header)) != len(table.header):
        duplicates = sorted({column for column in table.header if table.header.count(column) > 1})
        file_errors.append(RowError(1, ", ".join(duplicates), _("This column appears twice.")))
    seen: dict[str, int] = {}
    rows = []
    for number, values in table.rows:
        planned = _plan_row(number, values, table.header, reference)
        if planned.code:
            if planned.code in seen:
                planned.errors.append(
                    RowError(number, "code", _("The code also appears in row %(row)s.") % {"row": seen[planned.code]})
                )
            seen.setdefault(planned.code, number)
        if planned.errors:
            planned.action = "error"
        rows.append(planned)
    return ImportPlan(rows=rows, file_errors=file_errors)


def _parse_bool(text: str) -> bool | None:
    lowered = text.strip().lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    return None


def _status(text: str) -> str | None:
    lowered = text.strip().lower()
    for value, label in ItemStatus.choices:
        if lowered in (value, str(label).lower()):
            return value
    return None


def _plan_row(number: int, cells: dict[str, str], header: list[str], reference: _Reference) -> PlannedRow:
    code = cells.get("code", "").strip()
    planned = PlannedRow(row=number, code=code)
    errors = planned.errors

    def error(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    if not code:
        error("code", _("Every row needs an item code."))
        return planned
    existing = reference.items.get(code)
    values: dict[str, Any] = {}
    for name in ("name", "name_en", "description", "description_en"):
        if name in cells:
            values[name] = cells[name].strip()
    if "category" in cells:
        category = reference.categories.get(cells["category"].strip())
        if category is None:
            error("category", _("There is no category with the code “%(code)s”.") % {"code": cells["category"]})
        else:
            values["category"] = category
    if "base_unit" in cells:
        unit = reference.units.get(cells["base_unit"].strip())
        if unit is None:
            error("base_unit", _("There is no unit with the code “%(code)s”.") % {"code": cells["base_unit"]})
        else:
            values["base_unit"] = unit
    for name in ("is_purchasable", "is_sellable"):
        if name in cells and cells[name].strip():
            flag = _parse_bool(cells[name])
            if flag is None:
                error(name, _("Write yes or no (or 是 / 否), not “%(value)s”.") % {"value": cells[name]})
            else:
                values[name] = flag
    if "status" in cells and cells["status"].strip():
        status = _status(cells["status"])
        if status is None:
            error(
                "status",
                _("The status must be one of %(choices)s, not “%(value)s”.")
                % {"choices": ", ".join(ItemStatus.values), "value": cells["status"]},
            )
        else:
            values["status"] = status
    if existing is None:
        for name in ("name", "category", "base_unit"):
            if name not in cells or not cells[name].strip():
                if not any(e.column == name for e in errors):
                    error(name, _("A new item needs this value."))

    # Attributes: the file's attr: columns over the current values (all of them when the category changes).
    category = values.get("category") or (existing.category if existing else None)
    attribute_columns = [column for column in header if column.startswith(ATTRIBUTE_COLUMN)]
    if category is not None and (attribute_columns or "category" in values):
        same_category = existing is not None and existing.category_id == category.pk
        attributes = dict(existing.attributes) if same_category else {}
        for column in attribute_columns:
            attribute_code = column[len(ATTRIBUTE_COLUMN) :]
            text = cells.get(column, "").strip()
            if text:
                attributes[attribute_code] = text
            else:
                attributes.pop(attribute_code, None)
        schema = category.effective_schema()
        known = {definition["code"] for definition in schema}
        # A column for another category's attribute, left empty in this row, is no error of this row.
        attributes = {
            key: value for key, value in attributes.items() if key in known or cells.get(ATTRIBUTE_COLUMN + key)
        }
        try:
            values["attributes"] = validate_attributes(schema, attributes)
        except ValidationError as invalid:
            for key, messages in invalid.message_dict.items():
                column = ATTRIBUTE_COLUMN + key.split(".", 1)[1] if key.startswith("attributes.") else key
                for message in messages:
                    error(column, message)

    # Conversions: the conv: columns set (or, left empty, remove) the conversion to their unit.
    conversion_columns = [column for column in header if column.startswith(CONVERSION_COLUMN)]
    if conversion_columns:
        conversions = {c.unit.code: c.factor for c in existing.conversions.all()} if existing else {}
        base_unit = values.get("base_unit") or (existing.base_unit if existing else None)
        for column in conversion_columns:
            unit_code = column[len(CONVERSION_COLUMN) :]
            if unit_code not in reference.units:
                continue
            text = cells.get(column, "").strip()
            if not text:
                conversions.pop(unit_code, None)
                continue
            try:
                factor = Decimal(text)
            except InvalidOperation:
                error(column, _("The conversion factor must be a number, not “%(value)s”.") % {"value": text})
                continue
            if not factor.is_finite() or factor <= 0:
                error(column, _("A conversion factor must be greater than zero."))
            elif base_unit is not None and unit_code == base_unit.code:
                error(column, _("The base unit needs no conversion."))
            else:
                conversions[unit_code] = factor
        planned.conversions = {reference.units[unit]: factor for unit, factor in conversions.items()}

    # The model's own field checks (lengths, the code's characters), as upsert_row runs them.
    probe = Item(code=code, **{k: v for k, v in values.items() if k not in ("category", "base_unit")})
    if existing is not None:
        for name in ("name", "name_en", "description", "description_en", "status"):
            if name not in values:
                setattr(probe, name, getattr(existing, name))
    try:
        probe.clean_fields(exclude=["category", "base_unit", "uuid", "attributes", "source_updated_at"])
    except ValidationError as invalid:
        for name, messages in invalid.message_dict.items():
            if not any(e.column == name for e in errors):
                for message in messages:
                    error(name, message)

    planned.values = values
    if errors:
        return planned
    if existing is None:
        planned.action = "create"
        return planned
    planned.changes = _changes(existing, values, planned.conversions)
    planned.action = "change" if planned.changes else "unchanged"
    return planned


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Category | UnitOfMeasure):
        return value.code
    if isinstance(value, dict):
        return ", ".join(f"{key}={_shown(item)}" for key, item in sorted(value.items()))
    return str(value)


def _changes(item: Item, values: dict[str, Any], conversions: dict | None) -> dict[str, tuple[str, str]]:
    changes = {}
    for name in COMPARED_FIELDS:
        if name not in values:
            continue
        old, new = getattr(item, name), values[name]
        if name in ("category", "base_unit"):
            same = getattr(item, f"{name}_id") == new.pk
        else:
            same = old == new
        if not same:
            changes[name] = (_shown(old), _shown(new))
    if conversions is not None:
        old_conversions = {c.unit.code: c.factor.normalize() for c in item.conversions.all()}
        new_conversions = {unit.code: Decimal(factor).normalize() for unit, factor in conversions.items()}
        if old_conversions != new_conversions:
            changes["conversions"] = (
                _shown({k: format(v, "f") for k, v in old_conversions.items()}),
                _shown({k: format(v, "f") for k, v in new_conversions.items()}),
            )
    return changes


# Applying --------------------------------------------------------------------------------------------------


class ImportNotApplied(Exception):
    """Nothing was applied; `plan` says why (its rows carry the errors)."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__("import not applied")
        self.plan = plan


def apply_import(*, actor: Any, table: Table, request: Any = None) -> ImportPlan:
    """Plan again (the items may have changed since the preview) and apply every row in one transaction through
    `item_upsert_many`. Raises ImportNotApplied, with nothing changed, when any row has an error now or is refused
    while applied (its errors then name the row's columns)."""
    plan = plan_import(table)
    if plan.errors:
        raise ImportNotApplied(plan)
    rows = [row for row in plan.rows if row.action in ("create", "change")]
    changes = []
    for row in rows:
        # Conversions only when they change (or the item is new): the rest keep theirs.
        if row.action == "create":
            conversions = row.conversions or None
        else:
            conversions = row.conversions if "conversions" in row.changes else None
        changes.append(ItemChange(code=row.code, values=row.values, conversions=conversions))
    with transaction.atomic():
        outcomes = item_upsert_many(actor=actor, changes=changes, request=request)
        refused = False
        for row, outcome in zip(rows, outcomes, strict=True):
            if outcome.status == "applied":
                continue
            refused = True
            row.action = "error"
            if outcome.status == "stale":
                row.errors.append(RowError(row.row, "code", _("A newer version of this item was applied meanwhile.")))
                continue
            for key, messages in outcome.message_dict.items():
                row.errors.extend(RowError(row.row, _column(key), message) for message in messages)
        if refused:
            # leaves the transaction: everything applied above is rolled back
            raise ImportNotApplied(plan)
    return plan


def _column(key: str) -> str:
    """The import's column for a service error key (`attributes.thickness` → `attr:thickness`)."""
    if key == NON_FIELD_ERRORS:
        return ""
    if key.startswith("attributes."):
        return ATTRIBUTE_COLUMN + key[len("attributes.") :]
    if key.startswith("conversions."):
        return CONVERSION_COLUMN + key[len("conversions.") :]
    return key


def error_report_csv(plan: ImportPlan) -> str:
    """The errors as CSV (with a BOM, so Excel opens the Chinese text correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Row"), _("Code"), _("Column"), _("Message")])
    codes = {row.row: row.code for row in plan.rows}
    for error in plan.errors:
        writer.writerow([error.row, *map(_inert, (codes.get(error.row, ""), error.column, error.message))])
    return "\ufeff" + buffer.getvalue()


def _inert(text: str) -> str:
    """A cell Excel will not run as a formula (the codes come from the uploaded file, as typed)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def template_workbook(category: Category | None, units: list[UnitOfMeasure]) -> bytes:
    """An empty import file for a category: the item columns, one attr: column per attribute (choices as a
    drop-down), and a second sheet that explains each column."""
    schema = category.effective_schema() if category is not None else []
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "items"
    header = [name for name in ITEM_COLUMNS] + [ATTRIBUTE_COLUMN + d["code"] for d in schema]
    sheet.append(header)
    for index, _column in enumerate(header, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = 16
    if category is not None:
        sheet.cell(row=2, column=header.index("category") + 1, value=category.code)
    yes_no = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    statuses = DataValidation(type="list", formula1='"' + ",".join(ItemStatus.values) + '"', allow_blank=True)
    sheet.add_data_validation(yes_no)
    sheet.add_data_validation(statuses)
    for name in ("is_purchasable", "is_sellable"):
        letter = get_column_letter(header.index(name) + 1)
        yes_no.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    letter = get_column_letter(header.index("status") + 1)
    statuses.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    for definition in schema:
        choices = definition.get("choices") or []
        if definition.get("type") == "choice" and choices and len(",".join(choices)) < 250:
            validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
            sheet.add_data_validation(validation)
            letter = get_column_letter(header.index(ATTRIBUTE_COLUMN + definition["code"]) + 1)
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    sheet.freeze_panes = "B2"

    guide = workbook.create_sheet("guide")
    guide.append([_("Column"), _("Meaning"), _("Type"), _("Unit"), _("Required"), _("Choices / range")])
    explained = {
        "code": _("Item code, unique in the group; an existing code changes that item"),
        "name": _("Chinese name"),
        "name_en": _("English name"),
        "category": _("Category code"),
        "base_unit": _("Base unit code: %(units)s") % {"units": ", ".join(unit.code for unit in units)},
        "is_purchasable": _("yes / no"),
        "is_sellable": _("yes / no"),
        "status": ", ".join(ItemStatus.values),
        "description": _("Description"),
        "description_en": _("English description"),
    }
    for name in ITEM_COLUMNS:
        guide.append([name, explained[name]])
    for definition in schema:
        bounds = " – ".join(str(definition[b]) for b in ("min", "max") if b in definition)
        guide.append(
            [
                ATTRIBUTE_COLUMN + definition["code"],
                " / ".join(filter(None, [definition.get("label"), definition.get("label_en")])),
                definition.get("type", "text"),
                definition.get("unit", ""),
                _("yes") if definition.get("required") else "",
                ", ".join(definition.get("choices", [])) or bounds,
            ]
        )
    guide.append(
        [
            CONVERSION_COLUMN + "<unit>",
            _("Optional: how many base units one of this unit is (e.g. conv:pcs = 0.125 for a plate in t)"),
        ]
    )
    for cell in guide[1]:
        cell.font = Font(bold=True)
    guide.column_dimensions["A"].width = 18
    guide.column_dimensions["B"].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
