"""The AVL in the back office (/cms/avl/): the list (filters, pages, XLSX export), an entry with its history,
creating and changing entries. Every staff member sees the entries of their companies and the group-wide ones;
only those who may maintain an entry (rfq.avl.services.may_maintain) change it (403 page for the others)."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from catalog.models import Category
from portal.audit.models import AuditEvent
from portal.organisations.access import get_object_for_user, scope_of
from portal.organisations.models import Company

from .decision import company_today
from .forms import GROUP_WIDE, AvlEntryChangeForm, AvlEntryCreateForm, AvlFilterForm
from .models import ApprovedSupplier
from .services import avl_entry_save, may_maintain, may_maintain_any

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
# (English, Chinese): the export's headers follow the reader's language whatever the catalogues hold.
EXPORT_HEADERS = [
    ("Company", "公司"),
    ("Category code", "品类编码"),
    ("Category", "品类"),
    ("Supplier", "供应商"),
    ("Tax id", "统一社会信用代码"),
    ("Status", "状态"),
    ("Valid until", "有效期至"),
    ("Reason", "原因"),
    ("Reviewer", "审核人"),
    ("Updated", "更新时间"),
]
STATUS_ZH = {"approved": "合格", "conditional": "有条件合格", "blocked": "禁用"}
GROUP_WIDE_ZH = "集团通用"


def _render(request, template, title, context, icon="tick-inverse", status=200):
    return TemplateResponse(request, template, {"page_title": title, "header_icon": icon, **context}, status=status)


def _forbidden(request):
    return TemplateResponse(
        request,
        "organisations/admin/forbidden.html",
        {"page_title": _("Not allowed"), "header_icon": "warning"},
        status=403,
    )


def _companies(user):
    return Company.objects.visible_to(user).order_by("code")


def _descendants(category_pk: int) -> list[int]:
    """The category and everything below it: one query (the tree is small next to the list)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = [], [category_pk]
    while stack:
        node = stack.pop()
        if node in found:
            continue
        found.append(node)
        stack.extend(children.get(node, []))
    return found


def filtered_entries(request):
    """The entries the user may see, narrowed by the list's filters (GET), and the filter form."""
    companies = list(_companies(request.user))
    form = AvlFilterForm(request.GET or None, companies=companies)
    entries = ApprovedSupplier.objects.visible_to(request.user).select_related(
        "company", "category", "partner", "reviewer"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["company"] == GROUP_WIDE:
            entries = entries.filter(company__isnull=True)
        elif data["company"]:
            entries = entries.filter(company__code=data["company"])
        if data["category"] is not None:
            entries = entries.filter(category_id__in=_descendants(data["category"].pk))
        if data["status"]:
            entries = entries.filter(status=data["status"])
        if query := data["q"].strip():
            entries = entries.filter(
                Q(partner__name__icontains=query)
                | Q(partner__name_en__icontains=query)
                | Q(partner__tax_id__icontains=query)
            )
        if data["expiring_within"] is not None:
            today = company_today(None)
            entries = entries.filter(
                valid_until__gte=today, valid_until__lte=today + timedelta(days=data["expiring_within"])
            )
    return entries.order_by("partner__name", "category__code", "company__code", "pk"), form


def entry_index(request):
    if not scope_of(request.user).is_staff:
        return _forbidden(request)
    entries, form = filtered_entries(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    context = {
        "page": page,
        "form": form,
        "query": query.urlencode(),
        "may_create": may_maintain_any(request.user),
        "select_fields": ("company", "category", "status"),
    }
    return _render(request, "avl/admin/index.html", _("Approved vendor list"), context)


def entry_export(request):
    """The filtered list as an XLSX file (write-only workbook: memory stays flat however many rows)."""
    if not scope_of(request.user).is_staff:
        return _forbidden(request)
    entries, _form = filtered_entries(request)
    chinese = (get_language() or "").lower().startswith("zh")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("AVL")
    sheet.append([zh if chinese else en for en, zh in EXPORT_HEADERS])
    for entry in entries[:EXPORT_LIMIT].iterator(chunk_size=2000):
        sheet.append(
            [
                entry.company.code if entry.company_id else (GROUP_WIDE_ZH if chinese else "Group-wide"),
                entry.category.code,
                entry.category.name if chinese else (entry.category.name_en or entry.category.name),
                entry.partner.name if chinese else (entry.partner.name_en or entry.partner.name),
                entry.partner.tax_id,
                STATUS_ZH[entry.status] if chinese else entry.get_status_display(),
                entry.valid_until,
                entry.reason,
                entry.reviewer.email if entry.reviewer_id else "",
                entry.updated_at.replace(tzinfo=None),
            ]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="approved-vendor-list.xlsx"'
    return response


def _history(entry):
    return AuditEvent.objects.filter(object_type=entry._meta.label_lower, object_id=str(entry.uuid)).order_by(
        "-created_at", "-pk"
    )


def _entry_queryset():
    return ApprovedSupplier.objects.select_related("company", "category", "partner", "reviewer")


def entry_detail(request, entry_id, form=None, status=200):
    entry = get_object_for_user(_entry_queryset(), request.user, entry_id)
    may_change = may_maintain(request.user, entry.company)
    if may_change and form is None:
        form = AvlEntryChangeForm(
            initial={"status": entry.status, "valid_until": entry.valid_until, "reason": entry.reason}
        )
    context = {"entry": entry, "history": _history(entry), "form": form if may_change else None}
    return _render(request, "avl/admin/detail.html", str(entry.partner.name), context, status=status)


@require_POST
def entry_edit(request, entry_id):
    entry = get_object_for_user(_entry_queryset(), request.user, entry_id)
    if not may_maintain(request.user, entry.company):
        return _forbidden(request)
    form = AvlEntryChangeForm(request.POST)
    if form.is_valid():
        try:
            avl_entry_save(
                actor=request.user,
                company=entry.company,
                category=entry.category,
                partner=entry.partner,
                request=request,
                **form.cleaned_data,
            )
        except PermissionDenied:
            return _forbidden(request)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The entry was saved."))
            return redirect("avl_admin:entry_detail", entry_id=entry.uuid)
    return entry_detail(request, entry_id, form=form, status=422)


def _add_errors(form, error: ValidationError) -> None:
    for name, messages_ in error.message_dict.items():
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)


def entry_create(request):
    if not may_maintain_any(request.user):
        return _forbidden(request)
    companies = Company.objects.filter(
        pk__in=[company.pk for company in _companies(request.user) if may_maintain(request.user, company)]
    ).order_by("code")
    form = AvlEntryCreateForm(request.POST or None, user=request.user, companies=companies)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                applied = avl_entry_save(actor=request.user, request=request, **data)
            except PermissionDenied:
                form.add_error("company", _("You may not maintain the group-wide list."))
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The entry was saved."))
                return redirect("avl_admin:entry_detail", entry_id=applied.obj.uuid)
    return _render(request, "avl/admin/create.html", _("New AVL entry"), {"form": form}, status=status)
