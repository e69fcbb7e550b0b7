"""Comparison and award in the back office (/cms/sourcing/…): the matrix of an opened round with its XLSX and PDF
exports, building an award from it, and the award's page where it is submitted, approved or sent back.

RFQs and awards come through the access layer (404 for another company's); the company's staff who may neither
manage RFQs nor approve awards get the 403 page. Prices exist only for opened rounds: before the opening the page
says so and the exports answer 404."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from portal.core.errors import DomainError
from portal.organisations.access import get_object_for_user
from theme.pdf import render_pdf

from .access import may_approve_award, may_manage_rfq
from .awards import (
    Allocation,
    allocation_key,
    award_approve,
    award_create,
    award_reject,
    award_submit,
)
from .comparison import Matrix, comparison_matrix, number_text, opened_rounds, thousands_separator
from .models import Award, AwardLetter, AwardStatus, Rfq, RfqStatus

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_COLUMNS = 5  # suppliers per table in the PDF (A4 landscape)
NOTE_MAX = 2000


def _forbidden(request):
    return TemplateResponse(
        request,
        "organisations/admin/forbidden.html",
        {"page_title": _("Not allowed"), "header_icon": "warning"},
        status=403,
    )


def _may_compare(user, company) -> bool:
    return may_manage_rfq(user, company) or may_approve_award(user, company)


def _rfq(request, rfq_id) -> Rfq:
    return get_object_for_user(Rfq.objects.select_related("company"), request.user, rfq_id)


def _award(request, award_id) -> Award:
    queryset = Award.objects.select_related("rfq__company", "created_by", "approved_by")
    return get_object_for_user(queryset, request.user, award_id)


def _matrix(request, rfq: Rfq) -> tuple[Matrix | None, list]:
    """The matrix of the round asked for (?round=N; default the latest opened one); 404 for a round that does not
    exist or is not opened; None when nothing is opened yet."""
    rounds = opened_rounds(rfq)
    wanted = request.GET.get("round")
    round = None
    if wanted:
        round = next((candidate for candidate in rounds if str(candidate.number) == wanted), None)
        if round is None:
            raise Http404
    if not rounds:
        return None, rounds
    return comparison_matrix(rfq, round, rounds=rounds), rounds


# --- comparison ------------------------------------------------------------------------------------------------------


def comparison(request, rfq_id):
    rfq = _rfq(request, rfq_id)
    if not _may_compare(request.user, rfq.company):
        return _forbidden(request)
    matrix, rounds = _matrix(request, rfq)
    is_latest = matrix is not None and matrix.round == rounds[-1]
    context = {
        "page_title": _("Comparison: %(number)s") % {"number": rfq.number},
        "header_icon": "table",
        "rfq": rfq,
        "matrix": matrix,
        "matrix_rows": matrix_rows_html(matrix) if matrix is not None else [],
        "awards": list(Award.objects.filter(rfq=rfq).select_related("created_by").order_by("-created_at", "-pk")),
        "may_award": is_latest and rfq.status == RfqStatus.OPENED and may_manage_rfq(request.user, rfq.company),
    }
    return TemplateResponse(request, "sourcing/admin/comparison.html", context)


def _export_matrix(request, rfq_id) -> Matrix | HttpResponse:
    rfq = _rfq(request, rfq_id)
    if not _may_compare(request.user, rfq.company):
        return _forbidden(request)
    matrix, _rounds = _matrix(request, rfq)
    if matrix is None:
        raise Http404
    return matrix


def _file_name(matrix: Matrix, extension: str) -> str:
    return f"{matrix.rfq.number}-R{matrix.round.number}-comparison.{extension}"


def comparison_xlsx(request, rfq_id):
    matrix = _export_matrix(request, rfq_id)
    if isinstance(matrix, HttpResponse):
        return matrix
    content = comparison_workbook(matrix)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_file_name(matrix, "xlsx")}"'
    return response


def comparison_pdf(request, rfq_id):
    matrix = _export_matrix(request, rfq_id)
    if isinstance(matrix, HttpResponse):
        return matrix
    chunks = []
    for start in range(0, max(len(matrix.suppliers), 1), PDF_COLUMNS):
        end = start + PDF_COLUMNS
        is_last = end >= len(matrix.suppliers)
        chunks.append(
            {
                "suppliers": matrix.suppliers[start:end],
                "rows": matrix_rows_html(matrix, slice(start, end), with_savings=is_last),
                "is_last": is_last,
            }
        )
    content = render_pdf("sourcing/pdf/comparison.html", {"matrix": matrix, "chunks": chunks})
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(matrix, "pdf")}"'
    return response


def _num(value):
    """Decimals as numbers in the workbook (Excel sums them); None stays empty."""
    return float(value) if isinstance(value, Decimal) else value


def comparison_workbook(matrix: Matrix) -> bytes:
    """The matrix as one sheet: per supplier the quoted price, the cost per base unit and the line amount in the
    company currency, the lead time and flags; then totals, scores and rank; the same numbers as the page. A
    write-only workbook: 12,000 offers stream out instead of building a sheet in memory."""
    rfq = matrix.rfq
    currency = matrix.company_currency
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Comparison")[:31])
    sheet.column_dimensions["B"].width = 36
    bold = Font(bold=True)
    best = PatternFill("solid", fgColor="E3F4E6")

    def styled(value, *, font=None, fill=None):
        cell = WriteOnlyCell(sheet, value=value)
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        return cell

    sheet.append([styled(f"{rfq.number} {rfq.title}", font=Font(bold=True, size=13))])
    sheet.append(
        [
            _("Round %(round)s, opened on %(day)s") % {"round": matrix.round.number, "day": matrix.opening_day},
            _rate_text(matrix),
            _("Weights: price %(price)s%%, delivery %(delivery)s%%, quality %(quality)s%%")
            % {"price": rfq.weight_price, "delivery": rfq.weight_delivery, "quality": rfq.weight_quality},
        ]
    )
    sheet.append([])
    fixed = [
        _("Line"),
        _("Item / description"),
        _("Quantity"),
        _("Unit"),
        _("Need by"),
        _("Last price (%(currency)s)") % {"currency": rfq.currency},
        _("Target price (%(currency)s)") % {"currency": rfq.currency},
    ]
    per_supplier = [
        _("Unit price (%(currency)s)") % {"currency": rfq.currency},
        _("Cost per base unit (%(currency)s)") % {"currency": currency},
        _("Amount (%(currency)s)") % {"currency": currency},
        _("Lead time (days)"),
        _("Flags"),
    ]
    names = [""] * len(fixed)
    for column in matrix.suppliers:
        names += [column.supplier.name] + [""] * (len(per_supplier) - 1)
    sheet.append([styled(value, font=bold) for value in names])
    sheet.append([styled(value, font=bold) for value in fixed + per_supplier * len(matrix.suppliers)])
    for row in matrix.lines:
        line = row.line
        values = [
            line.position,
            line.label,
            _num(line.quantity),
            line.unit.code,
            line.need_by,
            _num(line.last_price),
            _num(line.target_price),
        ]
        for offer in row.cells:
            if offer is None:
                values += [_("not quoted"), None, None, None, None]
                continue
            cells = _offer_cells(offer)
            if offer["is_lowest"]:
                cells[2] = styled(cells[2], fill=best)
            values += cells
        sheet.append(values)
        if row.has_alternatives:
            alternative = ["", _("Alternative offer"), None, None, None, None, None]
            for offer in row.alternative_cells:
                alternative += _offer_cells(offer) if offer else [None] * len(per_supplier)
            sheet.append(alternative)
    sheet.append([])
    summary = [
        (_("Total (%(currency)s)") % {"currency": rfq.currency}, lambda column: _num(column.total)),
        (_("Total (%(currency)s)") % {"currency": currency}, lambda column: _num(column.total_company)),
        (_("Lines quoted"), lambda column: column.quoted_lines),
        (_("Complete"), lambda column: _("Yes") if column.is_complete else _("Incomplete")),
        (_("Lines late"), lambda column: column.late_lines),
        (_("AVL status"), lambda column: column.avl_label or "—"),
        (_("Invited despite the AVL"), lambda column: column.invitation.override_reason or ""),
        (_("Price score"), lambda column: _num(column.score_price)),
        (_("Delivery score"), lambda column: _num(column.score_delivery)),
        (_("Quality score"), lambda column: _num(column.score_quality)),
        (_("Weighted score"), lambda column: _num(column.score)),
        (_("Rank"), lambda column: column.rank),
    ]
    for label, value in summary:
        values = [None, styled(label, font=bold), None, None, None, None, None]
        for column in matrix.suppliers:
            values += [None, None, value(column), None, None]
        sheet.append(values)
    sheet.append([])
    for savings, label in ((matrix.savings_last, _("last price")), (matrix.savings_target, _("target price"))):
        sheet.append(
            [
                None,
                _("Savings against the %(reference)s") % {"reference": label},
                _num(savings.amount),
                rfq.currency,
                _num(savings.amount_company),
                currency,
                _num(savings.percent),
            ]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _offer_cells(offer) -> list:
    flags = []
    if offer["is_lowest"]:
        flags.append(_("lowest"))
    if offer["is_late"]:
        flags.append(_("late"))
    if not offer["vat_deductible"]:
        flags.append(_("VAT %(rate)s%% not deductible") % {"rate": _percent(offer["tax_rate"])})
    return [
        _num(offer["unit_price"]),
        _num(offer["base_unit_cost_company"]),
        _num(offer["amount_company"]),
        offer["lead_time_days"],
        ", ".join(flags),
    ]


def _percent(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _rate_text(matrix: Matrix) -> str:
    rate = matrix.rate
    if rate.source == "same":
        return _("Prices are in the company currency (%(currency)s).") % {"currency": rate.quote}
    if rate.is_missing:
        return _(
            "No exchange rate %(base)s → %(quote)s on or before %(day)s: company-currency figures are missing."
        ) % {
            "base": rate.base,
            "quote": rate.quote,
            "day": matrix.opening_day,
        }
    return _("1 %(base)s = %(rate)s %(quote)s (%(source)s rate of %(day)s)") % {
        "base": rate.base,
        "rate": rate.rate,
        "quote": rate.quote,
        "source": _("company") if rate.source == "company" else _("group reference"),
        "day": rate.valid_on,
    }


# --- the matrix's body, rendered here ---------------------------------------------------------------------------
# 40 suppliers × 300 lines are 12,000 cells: through Django's template engine (a dozen tags per cell) the page took
# seconds. The rows are built here with plain string formatting instead (numbers with Python's grouping, which is the
# same in English and Chinese; every text from the database escaped); the template prints them as they are.


def _labels() -> dict:
    """The texts of the cells, translated once per page (and "days": the lead times' texts as they are met)."""
    return {
        "days": {},
        "sep": thousands_separator(),
        "deductible": _("VAT deductible"),
        "added": _("VAT added"),
        "late": _("late"),
        "lowest": _("lowest"),
        "not_quoted": _("not quoted"),
        "alternative": _("Alternative offer"),
        "need_by": _("need by"),
        "vs_last": _("vs last"),
        "vs_target": _("vs target"),
        "last": _("last"),
        "target": _("target"),
        "no_conversion": _("No unit conversion: compared as quoted."),
    }


def _days_text(days: int, cache: dict[int, str]) -> str:
    text = cache.get(days)
    if text is None:
        text = cache[days] = ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
    return text


def _cell_html(offer, labels: dict, *, company_figures: bool) -> str:
    sep = labels["sep"]
    vat = labels["deductible"] if offer["vat_deductible"] else labels["added"]
    unit_price = number_text(offer["unit_price"], 4, trim_to=2, sep=sep)
    tax_rate = number_text(offer["tax_rate"], 2, trim_to=0, sep=sep)
    base_cost = number_text(offer["base_unit_cost_company"] if company_figures else offer["base_unit_cost"], 4, sep=sep)
    amount = number_text(offer["amount_company"] if company_figures else offer["amount"], 2, sep=sep)
    flags = f' <span class="cmp-tag">{labels["lowest"]}</span>' if offer["is_lowest"] else ""
    late = f' <span class="cmp-flag">{labels["late"]}</span>' if offer["is_late"] else ""
    comment = f'<br><span class="cmp-muted">{escape(offer["comment"][:60])}</span>' if offer["comment"] else ""
    days = _days_text(offer["lead_time_days"], labels["days"])
    return (
        f'<td class="cmp-cell{" cmp-best" if offer["is_lowest"] else ""}">{unit_price}{flags}'
        f'<br><span class="cmp-muted">{tax_rate}% {vat}</span><br>{base_cost}'
        f'<br><span class="cmp-amount">{amount}</span><br>{days}{late}{comment}</td>'
    )


def _savings_html(row, labels: dict[str, str], *, company_figures: bool) -> str:
    parts = []
    for reference in ("last", "target"):
        amount = getattr(row, f"savings_{reference}_company" if company_figures else f"savings_{reference}")
        if getattr(row, f"savings_{reference}") is not None:
            percent = getattr(row, f"savings_{reference}_percent")
            parts.append(f"{labels['vs_' + reference]}: {number_text(amount, 2, sep=labels['sep'])} ({percent}%)")
    line = row.line
    prices = (
        f'<span class="cmp-muted">{labels["last"]} {number_text(line.last_price, 4, trim_to=2, sep=labels["sep"])} · '
        f"{labels['target']} {number_text(line.target_price, 4, trim_to=2, sep=labels['sep'])}</span>"
    )
    return f'<td class="cmp-cell">{"<br>".join(parts) or "—"}<br>{prices}</td>'


def matrix_rows_html(matrix: Matrix, columns: slice = slice(None), *, with_savings: bool = True) -> list[str]:
    """One <tr> (and its alternatives' <tr>) per line, safe to print; `columns` picks suppliers (the PDF prints a
    few per page)."""
    labels = _labels()
    rfq = matrix.rfq
    company_figures = not matrix.rate.is_missing
    currency = matrix.company_currency if company_figures else rfq.currency
    rows = []
    for row in matrix.lines:
        line = row.line
        label = (
            f"{escape(line.item.code)} {escape(line.item.display_name)}" if line.item_id else escape(line.description)
        )
        base_unit = row.base_unit.code if row.base_unit else line.unit.code
        quantity = number_text(line.quantity, 4, trim_to=0, sep=labels["sep"])
        converted = ""
        if row.base_unit and row.base_unit.pk != line.unit_id:
            converted = (
                f" = {number_text(row.base_quantity, 4, trim_to=0, sep=labels['sep'])} {escape(row.base_unit.code)}"
            )
        need_by = f" · {labels['need_by']} {line.need_by:%Y-%m-%d}" if line.need_by else ""
        warning = f'<br><span class="cmp-flag">{labels["no_conversion"]}</span>' if row.conversion_missing else ""
        head = (
            f'<th class="cmp-sticky" scope="row">{line.position}. {label}<br><span class="cmp-muted">{quantity} '
            f"{escape(line.unit.code)}{converted}{need_by}<br>{escape(rfq.currency)}/{escape(line.unit.code)} → "
            f"{escape(currency)}/{escape(base_unit)}</span>{warning}</th>"
        )
        cells = "".join(
            _cell_html(offer, labels, company_figures=company_figures)
            if offer
            else f'<td class="cmp-cell cmp-muted">{labels["not_quoted"]}</td>'
            for offer in row.cells[columns]
        )
        savings = _savings_html(row, labels, company_figures=company_figures) if with_savings else ""
        html = f"<tr>{head}{cells}{savings}</tr>"
        alternative_cells = row.alternative_cells[columns]
        if any(alternative_cells):
            alternatives = "".join(
                _cell_html(offer, labels, company_figures=company_figures) if offer else "<td></td>"
                for offer in alternative_cells
            )
            html += (
                f'<tr class="cmp-alt"><th class="cmp-sticky" scope="row">↳ {labels["alternative"]}</th>'
                f"{alternatives}{'<td></td>' if with_savings else ''}</tr>"
            )
        rows.append(mark_safe(html))  # noqa: S308  (every text from the database is escaped above)
    return rows


# --- award: building it ------------------------------------------------------------------------------------------


def _parse_quantity(raw: str) -> Decimal | None:
    raw = (raw or "").strip().replace(",", "")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation as error:
        raise ValueError(raw) from error
    if not value.is_finite():
        raise ValueError(raw)
    return value


def _form_rows(matrix: Matrix, data: dict | None, errors: dict) -> list[dict]:
    """Per line the offers to choose from, each with its input values and errors; default: the line's best supplier
    gets the full quantity (the first of the matrix's order when several tie)."""
    suppliers = {column.invitation.pk: column for column in matrix.suppliers}
    sep = thousands_separator()
    rows = []
    for row in matrix.lines:
        options = []
        default_pk = next(
            (column.invitation.pk for column in matrix.suppliers if column.invitation.pk in row.best_invitation_ids),
            None,
        )
        pairs = [(offer, False) for offer in row.cells if offer] + [
            (offer, True) for offer in row.alternative_cells if offer
        ]
        for offer, alternative in pairs:
            key = allocation_key(row.line, suppliers[offer["invitation_id"]].invitation, alternative)
            if data is None:
                quantity = row.line.quantity if (not alternative and offer["invitation_id"] == default_pk) else ""
                quantity = _plain(quantity) if quantity != "" else ""
                reason = ""
            else:
                quantity = data.get(f"q-{key}", "")
                reason = data.get(f"r-{key}", "")
            options.append(
                {
                    "key": key,
                    "offer": offer,
                    "column": suppliers[offer["invitation_id"]],
                    "alternative": alternative,
                    "price": number_text(offer["unit_price"], 4, trim_to=2, sep=sep),
                    "amount": number_text(offer["amount_company"], 2, sep=sep),
                    "quantity": quantity,
                    "reason": reason,
                    "quantity_errors": errors.get(f"{key}.quantity", []),
                    "reason_errors": errors.get(f"{key}.reason", []),
                }
            )
        rows.append(
            {
                "row": row,
                "quantity": number_text(row.line.quantity, 4, trim_to=0, sep=sep),
                "options": options,
                "errors": errors.get(str(row.line.uuid), []),
            }
        )
    return rows


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _allocations_from(matrix: Matrix, data) -> tuple[list[Allocation], dict[str, list[str]]]:
    allocations, errors = [], {}
    suppliers = {column.invitation.pk: column for column in matrix.suppliers}
    for row in matrix.lines:
        pairs = [(offer, False) for offer in row.offers.values()] + [
            (offer, True) for offer in row.alternatives.values()
        ]
        for offer, alternative in pairs:
            key = allocation_key(row.line, suppliers[offer["invitation_id"]].invitation, alternative)
            try:
                quantity = _parse_quantity(data.get(f"q-{key}", ""))
            except ValueError:
                errors[f"{key}.quantity"] = [_("Enter a number, e.g. 12.5.")]
                continue
            if quantity is None:
                continue
            allocations.append(
                Allocation(
                    rfq_line=row.line,
                    invitation=suppliers[offer["invitation_id"]].invitation,
                    quantity=quantity,
                    reason=(data.get(f"r-{key}", "") or "")[:NOTE_MAX],
                    alternative=alternative,
                )
            )
    return allocations, errors


def award_new(request, rfq_id):
    rfq = _rfq(request, rfq_id)
    if not may_manage_rfq(request.user, rfq.company):
        return _forbidden(request)
    if rfq.status != RfqStatus.OPENED:
        messages.error(
            request,
            _("Only an opened RFQ can be awarded; this one is “%(status)s”.") % {"status": rfq.get_status_display()},
        )
        return redirect("sourcing_admin:comparison", rfq_id=rfq.uuid)
    rounds = opened_rounds(rfq)
    if not rounds:
        raise Http404
    matrix = comparison_matrix(rfq, rounds=rounds)
    errors: dict[str, list[str]] = {}
    data = None
    reason = ""
    status = 200
    if request.method == "POST":
        data = request.POST
        reason = (data.get("reason", "") or "")[:NOTE_MAX]
        allocations, errors = _allocations_from(matrix, data)
        if not errors:
            try:
                award = award_create(
                    user=request.user, rfq=rfq, allocations=allocations, reason=reason, request=request
                )
            except PermissionDenied:
                return _forbidden(request)
            except ValidationError as error:
                errors = error.message_dict
            except DomainError as error:
                errors = {"__all__": [error.message]}
            else:
                messages.success(request, _("The award was saved as a draft. Check it and submit it."))
                return redirect("sourcing_admin:award_detail", award_id=award.uuid)
        status = 422
    context = {
        "page_title": _("Award: %(number)s") % {"number": rfq.number},
        "header_icon": "success",
        "rfq": rfq,
        "matrix": matrix,
        "rows": _form_rows(matrix, data, errors),
        "general_errors": errors.get("__all__", []),
        "has_errors": bool(errors),
        "reason": reason,
    }
    return TemplateResponse(request, "sourcing/admin/award_form.html", context, status=status)


# --- award: its page and decisions -------------------------------------------------------------------------------


def award_detail(request, award_id, *, reject_errors=None, status=200):
    award = _award(request, award_id)
    rfq = award.rfq
    if not _may_compare(request.user, rfq.company):
        return _forbidden(request)
    lines = list(
        award.lines.select_related("rfq_line__item", "rfq_line__unit", "invitation__supplier", "opened_line").order_by(
            "rfq_line__position", "id"
        )
    )
    sep = thousands_separator()
    for line in lines:
        line.amount = (line.unit_price * line.quantity).quantize(Decimal("0.01"))
        line.price_text = number_text(line.unit_price, 4, trim_to=2, sep=sep)
        line.quantity_text = number_text(line.quantity, 4, trim_to=0, sep=sep)
    by_supplier: dict[int, dict] = {}
    for line in lines:
        entry = by_supplier.setdefault(
            line.invitation_id, {"supplier": line.invitation.supplier, "lines": 0, "amount": Decimal(0)}
        )
        entry["lines"] += 1
        entry["amount"] += line.amount
    is_pending = award.status == AwardStatus.PENDING_APPROVAL
    context = {
        "page_title": _("Award for %(number)s") % {"number": rfq.number},
        "header_icon": "success",
        "award": award,
        "rfq": rfq,
        "lines": lines,
        "suppliers": list(by_supplier.values()),
        "letters": list(award.letters.select_related("invitation__supplier", "document").order_by("-is_winner", "pk")),
        "may_submit": award.status == AwardStatus.DRAFT and may_manage_rfq(request.user, rfq.company),
        "may_decide": is_pending and may_approve_award(request.user, rfq.company),
        "is_creator": award.created_by_id == request.user.pk,
        "reject_errors": reject_errors or [],
    }
    return TemplateResponse(request, "sourcing/admin/award_detail.html", context, status=status)


def _decided(request, award, call, success):
    try:
        call()
    except PermissionDenied:
        return _forbidden(request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("sourcing_admin:award_detail", award_id=award.uuid)


@require_POST
def award_submit_view(request, award_id):
    award = _award(request, award_id)
    if not may_manage_rfq(request.user, award.rfq.company):
        return _forbidden(request)
    try:
        award = award_submit(user=request.user, award=award, request=request)
    except PermissionDenied:
        return _forbidden(request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if award.status == AwardStatus.PENDING_APPROVAL:
            messages.success(request, _("Submitted: the award waits for a sourcing manager's approval."))
        else:
            messages.success(request, _("Approved: the suppliers were told, and the ERP receives the award."))
    return redirect("sourcing_admin:award_detail", award_id=award.uuid)


@require_POST
def award_approve_view(request, award_id):
    award = _award(request, award_id)
    if not may_approve_award(request.user, award.rfq.company):
        return _forbidden(request)
    note = (request.POST.get("note", "") or "")[:NOTE_MAX]
    return _decided(
        request,
        award,
        lambda: award_approve(user=request.user, award=award, note=note, request=request),
        _("Approved: the suppliers were told, and the ERP receives the award."),
    )


@require_POST
def award_reject_view(request, award_id):
    award = _award(request, award_id)
    if not may_approve_award(request.user, award.rfq.company):
        return _forbidden(request)
    note = (request.POST.get("note", "") or "")[:NOTE_MAX]
    try:
        award_reject(user=request.user, award=award, note=note, request=request)
    except PermissionDenied:
        return _forbidden(request)
    except ValidationError as error:
        return award_detail(request, award_id, reject_errors=error.message_dict.get("note", []), status=422)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Sent back: the buyer was told why."))
    return redirect("sourcing_admin:award_detail", award_id=award.uuid)


def award_letter(request, award_id, letter_id):
    """A letter's PDF for the company's staff (suppliers read theirs in their workspace)."""
    award = _award(request, award_id)
    if not _may_compare(request.user, award.rfq.company):
        return _forbidden(request)
    letter = get_object_for_user(
        AwardLetter.objects.filter(award=award).select_related("document"), request.user, letter_id
    )
    if letter.document is None:
        raise Http404
    with letter.document.file.open("rb") as file:
        content = file.read()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{letter.document.original_name}"'
    return response
