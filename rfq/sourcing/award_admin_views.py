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
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

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
from .comparison import Matrix, comparison_matrix, opened_rounds
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
    content = render_pdf(
        "sourcing/pdf/comparison.html", {"matrix": matrix, "chunks": matrix.supplier_chunks(PDF_COLUMNS)}
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(matrix, "pdf")}"'
    return response


def _num(value):
    """Decimals as numbers in the workbook (Excel sums them); None stays empty."""
    return float(value) if isinstance(value, Decimal) else value


def comparison_workbook(matrix: Matrix) -> bytes:
    """The matrix as one sheet: per supplier the quoted price, the cost per base unit and the line amount in the
    company currency, the lead time and flags; then totals, scores and rank; the same numbers as the page."""
    rfq = matrix.rfq
    currency = matrix.company_currency
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Comparison")[:31]
    bold = Font(bold=True)
    best = PatternFill("solid", fgColor="E3F4E6")
    sheet.append([f"{rfq.number} {rfq.title}"])
    sheet["A1"].font = Font(bold=True, size=13)
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
    header_suppliers = list(fixed)
    for column in matrix.suppliers:
        header_suppliers += [column.supplier.name] + [""] * (len(per_supplier) - 1)
    sheet.append(header_suppliers)
    sheet.append(fixed + per_supplier * len(matrix.suppliers))
    for row_index in (sheet.max_row - 1, sheet.max_row):
        for cell in sheet[row_index]:
            cell.font = bold
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
        fills = []
        for offer in row.cells:
            if offer is None:
                values += [_("not quoted"), None, None, None, None]
                continue
            fills.append(len(values) + 1)
            values += _offer_cells(offer)
        sheet.append(values)
        for offer_start, offer in zip(fills, [cell for cell in row.cells if cell], strict=True):
            if offer.is_lowest:
                sheet.cell(row=sheet.max_row, column=offer_start + 2).fill = best
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
        values = [None, label, None, None, None, None, None]
        for column in matrix.suppliers:
            values += [None, None, value(column), None, None]
        sheet.append(values)
        sheet.cell(row=sheet.max_row, column=2).font = bold
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
    sheet.column_dimensions["B"].width = 36
    for cell in sheet["B"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _offer_cells(offer) -> list:
    flags = []
    if offer.is_lowest:
        flags.append(_("lowest"))
    if offer.is_late:
        flags.append(_("late"))
    if not offer.vat_deductible:
        flags.append(_("VAT %(rate)s%% not deductible") % {"rate": _percent(offer.tax_rate)})
    return [
        _num(offer.unit_price),
        _num(offer.base_unit_cost_company),
        _num(offer.amount_company),
        offer.lead_time_days,
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
            key = allocation_key(row.line, offer.invitation, alternative)
            if data is None:
                quantity = row.line.quantity if (not alternative and offer.invitation.pk == default_pk) else ""
                quantity = _plain(quantity) if quantity != "" else ""
                reason = ""
            else:
                quantity = data.get(f"q-{key}", "")
                reason = data.get(f"r-{key}", "")
            options.append(
                {
                    "key": key,
                    "offer": offer,
                    "column": suppliers[offer.invitation.pk],
                    "alternative": alternative,
                    "quantity": quantity,
                    "reason": reason,
                    "quantity_errors": errors.get(f"{key}.quantity", []),
                    "reason_errors": errors.get(f"{key}.reason", []),
                }
            )
        rows.append({"row": row, "options": options, "errors": errors.get(str(row.line.uuid), [])})
    return rows


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _allocations_from(matrix: Matrix, data) -> tuple[list[Allocation], dict[str, list[str]]]:
    allocations, errors = [], {}
    for row in matrix.lines:
        pairs = [(offer, False) for offer in row.offers.values()] + [
            (offer, True) for offer in row.alternatives.values()
        ]
        for offer, alternative in pairs:
            key = allocation_key(row.line, offer.invitation, alternative)
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
                    invitation=offer.invitation,
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
    for line in lines:
        line.amount = (line.unit_price * line.quantity).quantize(Decimal("0.01"))
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
