"""Price lists in the staff back office (/cms/prices/): the list of price lists and a price list's page with its
lines.

Staff see the price lists of the companies they work for (group-wide staff: all); another company's list is a 404.
Sales managers of the list's company and group administrators change its header (name, validity, active);
others get a plain 403 page. Changes go through catalog.pricing.services (validated, audited, reported to the
ERP). Price lists are named by their uuid in the path; catalog/pricing/outsider.py registers those patterns."""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import load_workbook

from catalog.models import Item, UnitOfMeasure
from portal.core.back_office import allowed_if
from portal.core.back_office import forbidden as _forbidden
from portal.organisations.access import scope_of
from portal.organisations.models import Company, StaffRoleName

from .models import PriceList, PriceListKind
from .services import price_list_line_remove, price_list_line_set, price_list_upsert

PAGE_SIZE = 50
LINES_PAGE_SIZE = 200


def may_view_prices(user: Any) -> bool:
    return scope_of(user).is_staff


def may_change_price_list(user: Any, price_list: PriceList) -> bool:
    scope = scope_of(user)
    return scope.is_group_admin or scope.has_staff_role(StaffRoleName.SALES_MANAGER, price_list.company_id)


staff_required = allowed_if(may_view_prices)


def _visible(user):
    return PriceList.objects.visible_to(user).select_related("company", "customer_group", "customer")


def _get(user, price_list_id) -> PriceList:
    found = _visible(user).filter(uuid=price_list_id).first()
    if found is None:
        raise Http404
    return found


class PriceListFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    company = forms.ModelChoiceField(label=gettext_lazy("Company"), queryset=Company.objects.none(), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    active = forms.ChoiceField(
        label=gettext_lazy("Active"),
        required=False,
        choices=[("", gettext_lazy("All")), ("yes", gettext_lazy("Active")), ("no", gettext_lazy("Inactive"))],
    )

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
        self.fields["kind"].choices = [("", _("All")), *PriceListKind.choices]


class PriceListForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), required=False)
    valid_until = forms.DateField(label=gettext_lazy("Valid until"), required=False)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)


@staff_required
@require_GET
def price_list_index(request):
    scope = scope_of(request.user)
    companies = Company.objects.all() if scope.is_group else Company.objects.filter(pk__in=scope.company_ids)
    form = PriceListFilterForm(request.GET or None, companies=companies.order_by("code"))
    price_lists = _visible(request.user).annotate(line_count=Count("lines")).order_by("company__code", "code")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"].strip():
            query = data["q"].strip()
            price_lists = price_lists.filter(Q(code__icontains=query) | Q(name__icontains=query))
        if data["company"] is not None:
            price_lists = price_lists.filter(company=data["company"])
        if data["kind"]:
            price_lists = price_lists.filter(kind=data["kind"])
        if data["active"]:
            price_lists = price_lists.filter(is_active=data["active"] == "yes")
    page = Paginator(price_lists, PAGE_SIZE).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    return TemplateResponse(
        request,
        "pricing/admin/price_list_index.html",
        {
            "page_title": _("Price lists"),
            "header_icon": "tag",
            "page": page,
            "form": form,
            "query_string": query.urlencode(),
        },
    )


class PriceLineForm(forms.Form):
    """One line of a price list, as the back office sets it (the same rules as an import's rows)."""

    item = forms.CharField(label=gettext_lazy("Item code"), max_length=40)
    unit = forms.CharField(
        label=gettext_lazy("Unit"), max_length=20, required=False, help_text=gettext_lazy("Empty: the base unit.")
    )
    min_quantity = forms.DecimalField(label=gettext_lazy("From quantity"), min_value=0, initial=0, max_digits=20)
    unit_price = forms.DecimalField(label=gettext_lazy("Net unit price"), min_value=0, max_digits=20, decimal_places=4)
    tax_rate = forms.DecimalField(
        label=gettext_lazy("Tax rate (%)"), min_value=0, max_value=100, initial=Decimal("13"), decimal_places=2
    )
    valid_from = forms.DateField(label=gettext_lazy("Valid from"), required=False)
    valid_until = forms.DateField(label=gettext_lazy("Valid until"), required=False)

    def clean_item(self):
        code = self.cleaned_data["item"].strip()
        item = Item.objects.filter(code=code).select_related("base_unit").first()
        if item is None:
            raise ValidationError(_("There is no item with the code “%(code)s”.") % {"code": code})
        return item

    def clean_unit(self):
        code = self.cleaned_data["unit"].strip()
        if not code:
            return None
        unit = UnitOfMeasure.objects.filter(code=code).first()
        if unit is None:
            raise ValidationError(_("There is no unit with the code “%(code)s”.") % {"code": code})
        return unit


def _detail(request, price_list: PriceList, line_form: PriceLineForm | None = None, status: int = 200):
    lines = price_list.lines.select_related("item", "unit").order_by("item__code", "unit__code", "min_quantity")
    page = Paginator(lines, LINES_PAGE_SIZE).get_page(request.GET.get("p"))
    may_change = may_change_price_list(request.user, price_list)
    return TemplateResponse(
        request,
        "pricing/admin/price_list_detail.html",
        {
            "page_title": _("Price list %(code)s") % {"code": price_list.code},
            "header_icon": "tag",
            "price_list": price_list,
            "page": page,
            "may_change": may_change,
            "line_form": (line_form or PriceLineForm()) if may_change else None,
        },
        status=status,
    )


@staff_required
@require_GET
def price_list_detail(request, price_list_id):
    return _detail(request, _get(request.user, price_list_id))


@staff_required
@require_POST
def price_list_line(request, price_list_id):
    """Set one line (action "set": the form's item, unit, from-quantity and validity) or remove one ("remove")."""
    price_list = _get(request.user, price_list_id)
    if not may_change_price_list(request.user, price_list):
        return _forbidden(request)
    back = redirect("pricing_admin:price_list_detail", price_list_id=price_list.uuid)
    if request.POST.get("action") == "remove":
        try:
            price_list_line_remove(
                actor=request.user, price_list=price_list, line_id=int(request.POST.get("line") or 0), request=request
            )
        except (ValidationError, ValueError):
            messages.error(request, _("That line is not in this price list (any more)."))
        else:
            messages.success(request, _("The line was removed from %(code)s.") % {"code": price_list.code})
        return back
    form = PriceLineForm(request.POST)
    if form.is_valid():
        values = {name: value for name, value in form.cleaned_data.items() if value is not None or name == "unit"}
        if values.get("unit") is None:
            values.pop("unit")
        try:
            price_list_line_set(actor=request.user, price_list=price_list, values=values, request=request)
        except PermissionDenied:
            return _forbidden(request)
        except ValidationError as error:
            for key, texts in error.message_dict.items():
                field = key.rsplit(".", 1)[-1]
                for text in texts:
                    form.add_error(field if field in form.fields else None, text)
        else:
            messages.success(request, _("Price list %(code)s saved.") % {"code": price_list.code})
            return back
    return _detail(request, price_list, form, status=422)


@staff_required
@require_http_methods(["GET", "POST"])
def price_list_edit(request, price_list_id):
    price_list = _get(request.user, price_list_id)
    if not may_change_price_list(request.user, price_list):
        return _forbidden(request)
    initial = {
        "name": price_list.name,
        "valid_from": price_list.valid_from,
        "valid_until": price_list.valid_until,
        "is_active": price_list.is_active,
    }
    form = PriceListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            price_list_upsert(
                actor=request.user,
                company=price_list.company,
                code=price_list.code,
                values=form.cleaned_data,
                request=request,
            )
        except PermissionDenied:
            return _forbidden(request)
        except ValidationError as error:
            for key, texts in error.message_dict.items():
                for text in texts:
                    form.add_error(key if key in form.fields else None, text)
        else:
            messages.success(request, _("Price list %(code)s saved.") % {"code": price_list.code})
            return redirect("pricing_admin:price_list_detail", price_list_id=price_list.uuid)
    return TemplateResponse(
        request,
        "pricing/admin/price_list_form.html",
        {
            "page_title": _("Change price list %(code)s") % {"code": price_list.code},
            "header_icon": "tag",
            "price_list": price_list,
            "form": form,
        },
        status=422 if request.method == "POST" else 200,
    )


# Importing a price list's lines from CSV / XLSX, with a preview -------------------------------------------------

IMPORT_COLUMNS = ["item", "unit", "min_quantity", "unit_price", "tax_rate", "valid_from", "valid_until"]
IMPORT_MAX_BYTES = 10 * 1024 * 1024
IMPORT_MAX_ROWS = 10_000
IMPORT_SESSION_KEY = "pricing_line_imports"


class ImportFileError(Exception):
    pass


class LineImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV or Excel (.xlsx) with the columns item, unit, min_quantity, unit_price, tax_rate, valid_from, "
            "valid_until. The rows replace the price list's lines."
        ),
    )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    return str(value).strip()


def read_line_rows(name: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) of an uploaded CSV (UTF-8 or GB18030) or XLSX file; ImportFileError."""
    if len(content) > IMPORT_MAX_BYTES:
        raise ImportFileError(_("The file is larger than 10 MB. Split it into several imports."))
    extension = os.path.splitext(name)[1].lower()
    if extension == ".xlsx":
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise ImportFileError(_("The file is not an Excel workbook (.xlsx) that can be read.")) from error
        try:
            raw = [
                list(cells)
                for cells in islice(workbook.worksheets[0].iter_rows(values_only=True), IMPORT_MAX_ROWS + 50)
            ]
        finally:
            workbook.close()
    elif extension in (".csv", ".txt"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")
            except UnicodeDecodeError as error:
                raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 text.")) from error
        if "\x00" in text:
            raise ImportFileError(_("The CSV file contains binary data, not text."))
        raw = list(csv.reader(io.StringIO(text, newline="")))
    else:
        raise ImportFileError(_("Upload a CSV file or an Excel workbook (.xlsx)."))
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(raw, start=1):
        texts = [_cell_text(cell) for cell in cells]
        if not any(texts):
            continue
        if header is None:
            header = [text.strip().lower() for text in texts]
            if "item" not in header or "unit_price" not in header:
                raise ImportFileError(
                    _("Row %(row)s must name the columns, at least “item” and “unit_price”.") % {"row": number}
                )
            continue
        if len(rows) >= IMPORT_MAX_ROWS:
            raise ImportFileError(_("The file has more than 10,000 rows. Split it into several imports."))
        rows.append((number, {column: texts[i] if i < len(texts) else "" for i, column in enumerate(header) if column}))
    if header is None:
        raise ImportFileError(_("The file is empty."))
    return rows


def plan_lines(rows: list[tuple[int, dict[str, str]]]) -> tuple[list[dict[str, Any]], dict[int, list[str]]]:
    """The service's line dicts and the errors per row number (values that cannot be read, unknown codes)."""
    items = {item.code: item for item in Item.objects.filter(code__in={cells.get("item", "") for _n, cells in rows})}
    units = {
        unit.code: unit for unit in UnitOfMeasure.objects.filter(code__in={cells.get("unit", "") for _n, cells in rows})
    }
    lines: list[dict[str, Any]] = []
    errors: dict[int, list[str]] = {}
    for number, cells in rows:
        row_errors: list[str] = []
        line: dict[str, Any] = {}
        item = items.get(cells.get("item", ""))
        if item is None:
            row_errors.append(_("item: there is no item with the code “%(code)s”.") % {"code": cells.get("item", "")})
        line["item"] = item
        if cells.get("unit"):
            line["unit"] = units.get(cells["unit"])
            if line["unit"] is None:
                row_errors.append(_("unit: there is no unit with the code “%(code)s”.") % {"code": cells["unit"]})
        for name in ("min_quantity", "unit_price", "tax_rate"):
            if cells.get(name, "") == "" and name != "unit_price":
                continue
            try:
                line[name] = Decimal(cells.get(name, "").replace(",", ""))
                if not line[name].is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                row_errors.append(_("%(column)s: not a number.") % {"column": name})
        for name in ("valid_from", "valid_until"):
            if cells.get(name):
                try:
                    line[name] = date.fromisoformat(cells[name][:10])
                except ValueError:
                    row_errors.append(_("%(column)s: not a date (YYYY-MM-DD).") % {"column": name})
        if row_errors:
            errors[number] = row_errors
        lines.append(line)
    return lines, errors


def _dry_run(user, price_list: PriceList, lines: list[dict[str, Any]], numbers: list[int]) -> dict[int, list[str]]:
    """The service's own errors for these lines, per row number, with nothing saved."""
    try:
        with transaction.atomic():
            price_list_upsert(actor=user, company=price_list.company, code=price_list.code, values={}, lines=lines)
            transaction.set_rollback(True)
    except ValidationError as error:
        found: dict[int, list[str]] = {}
        for key, texts in error.message_dict.items():
            match = re.match(r"lines\[(\d+)\](?:\.(\w+))?", key)
            if match is None:
                continue
            number = numbers[int(match.group(1))]
            found.setdefault(number, []).extend(
                f"{match.group(2)}: {text}" if match.group(2) else text for text in texts
            )
        return found
    return {}


@staff_required
@require_http_methods(["GET", "POST"])
def price_list_import(request, price_list_id):
    """Upload → preview (every row with its errors) → apply (the lines replace the list's)."""
    price_list = _get(request.user, price_list_id)
    if not may_change_price_list(request.user, price_list):
        return _forbidden(request)
    stored = request.session.get(IMPORT_SESSION_KEY, {})
    form = LineImportForm()
    preview = None
    status = 200
    if request.method == "POST" and "apply" in request.POST:
        rows = stored.get(str(price_list.uuid))
        if rows is None:
            messages.error(request, _("Upload the file again: its preview has expired."))
            return redirect("pricing_admin:price_list_import", price_list_id=price_list.uuid)
        rows = [(number, cells) for number, cells in rows]
        lines, errors = plan_lines(rows)
        if not errors:
            try:
                applied = price_list_upsert(
                    actor=request.user,
                    company=price_list.company,
                    code=price_list.code,
                    values={},
                    lines=lines,
                    request=request,
                )
            except ValidationError:
                errors = {0: [_("The file has errors; upload it again to see them.")]}
            else:
                stored.pop(str(price_list.uuid), None)
                request.session[IMPORT_SESSION_KEY] = stored
                if applied.changed:
                    messages.success(
                        request,
                        _("%(count)s lines imported into %(code)s.") % {"count": len(lines), "code": price_list.code},
                    )
                else:
                    messages.info(request, _("The price list already had these lines."))
                return redirect("pricing_admin:price_list_detail", price_list_id=price_list.uuid)
        messages.error(request, _("The file has errors; upload it again to see them."))
        return redirect("pricing_admin:price_list_import", price_list_id=price_list.uuid)
    if request.method == "POST":
        form = LineImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = read_line_rows(upload.name, upload.read())
            except ImportFileError as error:
                form.add_error("file", str(error))
                status = 422
            else:
                lines, errors = plan_lines(rows)
                numbers = [number for number, _cells in rows]
                if not errors:
                    errors = _dry_run(request.user, price_list, lines, numbers)
                preview = [
                    {
                        "number": number,
                        "cells": [cells.get(column, "") for column in IMPORT_COLUMNS],
                        "errors": errors.get(number, []),
                    }
                    for number, cells in rows
                ]
                stored = {str(price_list.uuid): rows} if not errors else {}
                request.session[IMPORT_SESSION_KEY] = stored
                preview = {"rows": preview, "error_count": sum(1 for row in preview if row["errors"]), "ok": not errors}
                status = 200 if not errors else 422
        else:
            status = 422
    return TemplateResponse(
        request,
        "pricing/admin/price_list_import.html",
        {
            "page_title": _("Import lines into %(code)s") % {"code": price_list.code},
            "header_icon": "upload",
            "price_list": price_list,
            "form": form,
            "preview": preview,
            "columns": IMPORT_COLUMNS,
        },
        status=status,
    )
