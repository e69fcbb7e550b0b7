"""The item master in the staff back office (/cms/catalog/): items, categories, units and the bulk import.

Every staff member sees the item master; stewards of master data and group administrators change it
(catalog.access). Others get a plain 403 page. Changes go through catalog.services, whose errors are shown
next to the matching field.

Objects are named by their uuid in the path (an unknown one is a 404). The item master is group-wide, so
catalog/outsider.py registers these patterns for the outsider sweep (tests/test_outsider_sweep.py) with
another company's staff let in: 200 on the pages that show, 403 with nothing changed on those that change.
"""

from __future__ import annotations

import os
import secrets
from functools import partial, wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.core.errors import DomainError

from .access import may_change_item_master, may_view_item_master
from .forms import (
    AttributeDefinitionForm,
    AttributeFormSet,
    CategoryForm,
    ConversionFormSet,
    DatasheetForm,
    ImportUploadForm,
    ItemFilterForm,
    ItemForm,
    ItemImageForm,
    UnitForm,
    apply_service_errors,
    attribute_field,
)
from .imports import (
    MAX_BYTES,
    ImportFileError,
    ImportNotApplied,
    apply_import,
    error_report_csv,
    plan_import,
    read_table,
    template_workbook,
)
from .item_files import item_datasheet_add, item_image_add, item_image_remove
from .models import Category, Item, ItemImage, UnitOfMeasure
from .selectors import (
    categories_linked,
    category_tree,
    get_datasheet,
    item_datasheets,
    item_history,
    items_not_matching_their_schema,
    search_items,
)
from .services import category_upsert, item_upsert, unit_upsert

PAGE_SIZE = 50
PREVIEW_ROWS = 500
IMPORT_SESSION_KEY = "catalog_imports"
# previews a person may have open at once (e.g. in two tabs); older uploads are deleted with their files
KEPT_PREVIEWS = 3


def _render(request, template, title, context, icon="table", status=200):
    return TemplateResponse(
        request,
        template,
        {"page_title": title, "header_icon": icon, "may_change": may_change_item_master(request.user), **context},
        status=status,
    )


def _forbidden(request):
    """A 403 page inside the back office (a raised PermissionDenied would become Wagtail's redirect)."""
    return TemplateResponse(
        request,
        "organisations/admin/forbidden.html",
        {"page_title": _("Not allowed"), "header_icon": "warning"},
        status=403,
    )


def viewer_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_view_item_master(request.user):
            return _forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper


def steward_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_change_item_master(request.user):
            return _forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper


class _CodeTaken(Exception):
    pass


def _create(upsert, **kwargs):
    """Run a `*_upsert` service that must create: when the code exists (also when someone created it a moment
    ago), everything it did is rolled back and None is returned, so a "new" form never overwrites a row."""
    try:
        with transaction.atomic():
            applied = upsert(**kwargs)
            if not applied.created:
                raise _CodeTaken
    except _CodeTaken:
        return None
    return applied


# Items -----------------------------------------------------------------------------------------------------


@viewer_required
@require_GET
def item_index(request):
    categories = categories_linked()
    form = ItemFilterForm(request.GET or None, categories=categories)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "query": data["q"].strip(),
            "category": data["category"],
            "status": data["status"],
            "purchasable": form.yes_no(data["purchasable"]),
            "sellable": form.yes_no(data["sellable"]),
        }
    items = search_items(categories=categories, **filters)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("p"))
    for item in page:  # category names without a query per row
        item.category = categories.get(item.category_id, item.category)
    query = request.GET.copy()
    query.pop("p", None)
    return _render(
        request,
        "catalog/admin/item_index.html",
        _("Items"),
        {"page": page, "form": form, "query_string": query.urlencode()},
    )


def _units():
    return list(UnitOfMeasure.objects.filter(is_active=True).order_by("dimension", "factor", "code"))


def _item_forms(request, *, item=None, category=None, categories=None):
    categories = categories if categories is not None else categories_linked()
    units = _units()
    if item is not None:
        # an inactive unit still used by the item stays choosable
        used = {item.base_unit_id, *(c.unit_id for c in item.conversions.all())}
        units += [unit for unit in UnitOfMeasure.objects.filter(pk__in=used, is_active=False)]
        category = categories.get(item.category_id, item.category)
    bound = request.method == "POST" and request.POST.get("action") != "refresh"
    if bound:
        form = ItemForm(request.POST, categories=categories, units=units, item=item, category=category)
        conversions = ConversionFormSet(request.POST, prefix="conversions", form_kwargs={"units": units})
    else:
        initial = ItemForm.initial_for(item) if item is not None else {"status": "active", "is_purchasable": True}
        conversion_initial = (
            [{"unit": c.unit_id, "factor": c.factor.normalize()} for c in item.conversions.all()] if item else []
        )
        if request.method == "POST":  # "refresh": show the new category's fields with what was typed so far
            initial = request.POST.dict()
            chosen = request.POST.get("category")
            category = categories.get(int(chosen)) if chosen and chosen.isdigit() else category
            conversions = ConversionFormSet(request.POST, prefix="conversions", form_kwargs={"units": units})
        else:
            conversions = ConversionFormSet(
                initial=conversion_initial, prefix="conversions", form_kwargs={"units": units}
            )
        if category is not None:
            initial["category"] = category
        form = ItemForm(initial=initial, categories=categories, units=units, item=item, category=category)
    form.fields["category"].widget.attrs.update(
        {
            "hx-get": reverse("catalog_admin:item_attribute_fields"),
            "hx-trigger": "change",
            "hx-target": "#attribute-fields",
            "hx-swap": "outerHTML",
            "hx-include": "[name=category],[name^=attr_]",
        }
    )
    return form, conversions


def _save_item(request, form, conversions, *, code, create=False):
    """Validate the forms, then save through the service; the item when saved, else None (errors on the form)."""
    if not (form.is_valid() and conversions.is_valid()):
        return None
    arguments = {
        "actor": request.user,
        "code": code,
        "values": form.service_values(),
        "conversions": conversions.conversions(),
        "request": request,
    }
    try:
        applied = _create(item_upsert, **arguments) if create else item_upsert(**arguments)
    except ValidationError as error:
        apply_service_errors(error, form, conversions)
        return None
    if applied is None:
        form.add_error("code", _("An item with this code exists already."))
        return None
    return applied.obj


@steward_required
@require_http_methods(["GET", "POST"])
def item_create(request):
    categories = categories_linked()
    chosen = request.GET.get("category") or request.POST.get("category")
    category = categories.get(int(chosen)) if chosen and chosen.isdigit() else None
    form, conversions = _item_forms(request, category=category, categories=categories)
    if request.method == "POST" and request.POST.get("action") != "refresh":
        code = form.cleaned_data["code"] if form.is_valid() else ""
        item = _save_item(request, form, conversions, code=code, create=True)
        if item is not None:
            messages.success(request, _("The item %(code)s was created.") % {"code": code})
            return redirect("catalog_admin:item_detail", item_id=item.uuid)
    return _render(
        request,
        "catalog/admin/item_form.html",
        _("New item"),
        {"form": form, "conversions": conversions, "item": None, "category": form.schema_category},
    )


@steward_required
@require_GET
def item_attribute_fields(request):
    """The attribute fields of the category chosen on the item form (htmx swaps them in)."""
    categories = categories_linked()
    chosen = request.GET.get("category")
    category = categories.get(int(chosen)) if chosen and chosen.isdigit() else None
    form = ItemForm(initial=request.GET.dict(), categories=categories, units=[], category=category)
    return TemplateResponse(request, "catalog/admin/item_attribute_fields.html", {"form": form})


@steward_required
@require_http_methods(["GET", "POST"])
def item_edit(request, item_id):
    item = get_object_or_404(
        Item.objects.select_related("category", "base_unit").prefetch_related("conversions__unit"), uuid=item_id
    )
    form, conversions = _item_forms(request, item=item)
    if request.method == "POST" and request.POST.get("action") != "refresh":
        if _save_item(request, form, conversions, code=item.code) is not None:
            messages.success(request, _("The item %(code)s was saved.") % {"code": item.code})
            return redirect("catalog_admin:item_detail", item_id=item.uuid)
    return _render(
        request,
        "catalog/admin/item_form.html",
        item.code,
        {"form": form, "conversions": conversions, "item": item, "category": form.schema_category},
    )


def _specification(item):
    """(label, value, unit, required) per attribute of the item's category, in schema order."""
    rows = []
    for definition in item.category.effective_schema():
        value = item.attributes.get(definition["code"])
        if isinstance(value, bool):
            value = _("yes") if value else _("no")
        label = attribute_field(definition).label
        rows.append((label, "" if value is None else value, definition.get("unit", ""), definition.get("required")))
    return rows


@viewer_required
@require_GET
def item_detail(request, item_id):
    item = get_object_or_404(Item, uuid=item_id)
    return _item_detail_page(request, item)


def _item_detail_page(request, item, *, datasheet_form=None, image_form=None, status=200):
    item = (
        Item.objects.select_related("category", "base_unit")
        .prefetch_related("conversions__unit", "images__image")
        .get(pk=item.pk)
    )
    categories = categories_linked()
    item.category = categories.get(item.category_id, item.category)
    history = list(item_history(item).select_related("actor")[:200])
    for event in history:
        keys = sorted(set(event.before) | set(event.after))
        event.rows = [(key, event.before.get(key, ""), event.after.get(key, "")) for key in keys]
    may_change = may_change_item_master(request.user)
    return _render(
        request,
        "catalog/admin/item_detail.html",
        item.code,
        {
            "page_subtitle": item.display_name,
            "item": item,
            "path": [*item.category.ancestors(), item.category],
            "specification": _specification(item),
            "datasheets": item_datasheets(item),
            "history": history,
            "datasheet_form": (datasheet_form or DatasheetForm()) if may_change else None,
            "image_form": (image_form or ItemImageForm()) if may_change else None,
        },
        status=status,
    )


@steward_required
@require_http_methods(["POST"])
def item_files(request, item_id):
    """Add a datasheet or an image to the item, or remove an image."""
    item = get_object_or_404(Item, uuid=item_id)
    action = request.POST.get("action")
    datasheet_form = image_form = None
    try:
        if action == "datasheet":
            datasheet_form = DatasheetForm(request.POST, request.FILES)
            if datasheet_form.is_valid():
                document = item_datasheet_add(
                    actor=request.user,
                    item=item,
                    uploaded_file=datasheet_form.cleaned_data["datasheet"],
                    request=request,
                )
                messages.success(request, _("“%(name)s” was added.") % {"name": document.original_name})
                return redirect("catalog_admin:item_detail", item_id=item.uuid)
        elif action == "image":
            image_form = ItemImageForm(request.POST, request.FILES)
            if image_form.is_valid():
                item_image_add(
                    actor=request.user,
                    item=item,
                    uploaded_image=image_form.cleaned_data["image"],
                    image=image_form.cleaned_data["existing"],
                    caption=image_form.cleaned_data["caption"],
                    request=request,
                )
                messages.success(request, _("The image was added."))
                return redirect("catalog_admin:item_detail", item_id=item.uuid)
        elif action == "remove_image":
            attached = ItemImage.objects.filter(item=item, pk=request.POST.get("image")).first()
            if attached is None:
                raise Http404
            item_image_remove(actor=request.user, item_image=attached, request=request)
            messages.success(request, _("The image was removed from the item."))
            return redirect("catalog_admin:item_detail", item_id=item.uuid)
        else:
            raise Http404
    except DomainError as error:
        form = datasheet_form if action == "datasheet" else image_form
        form.add_error("datasheet" if action == "datasheet" else "image", error.message)
    return _item_detail_page(request, item, datasheet_form=datasheet_form, image_form=image_form, status=400)


@viewer_required
@require_GET
def datasheet_download(request, document_id):
    document = get_datasheet(document_id)
    if document is None:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# Categories ------------------------------------------------------------------------------------------------


@viewer_required
@require_GET
def category_index(request):
    categories = categories_linked()
    counts = dict(Item.objects.values("category_id").annotate(total=Count("id")).values_list("category_id", "total"))
    tree = category_tree(categories.values())
    # items of the category and of everything below it (what the link to the filtered item list shows)
    totals = dict(counts)
    for category, _depth in reversed(tree):
        if category.parent_id is not None:
            totals[category.parent_id] = totals.get(category.parent_id, 0) + totals.get(category.pk, 0)
    rows = [(category, depth, totals.get(category.pk, 0)) for category, depth in tree]
    return _render(
        request, "catalog/admin/category_index.html", _("Categories"), {"rows": rows}, icon="folder-open-inverse"
    )


def _category_page(request, *, category=None):
    categories = categories_linked()
    if category is not None:
        category = categories[category.pk]
    if request.method == "POST":
        form = CategoryForm(request.POST, categories=categories, category=category)
        attributes = AttributeFormSet(request.POST, prefix="attributes")
    else:
        initial = {"sort_order": 0, "is_active": True}
        if category is not None:
            initial = {
                "name": category.name,
                "name_en": category.name_en,
                "parent": category.parent,
                "sort_order": category.sort_order,
                "is_active": category.is_active,
            }
        form = CategoryForm(initial=initial, categories=categories, category=category)
        attributes = AttributeFormSet(
            initial=[AttributeDefinitionForm.initial_for(d) for d in (category.attribute_schema if category else [])],
            prefix="attributes",
        )
    if request.method == "POST" and form.is_valid() and attributes.is_valid():
        code = category.code if category is not None else form.cleaned_data["code"]
        data = form.cleaned_data
        upsert = category_upsert if category is not None else partial(_create, category_upsert)
        try:
            applied = upsert(
                actor=request.user,
                code=code,
                values={
                    "name": data["name"],
                    "name_en": data["name_en"],
                    "parent": data["parent"],
                    "sort_order": data["sort_order"],
                    "is_active": data["is_active"],
                    "attribute_schema": attributes.schema(),
                },
                request=request,
            )
        except ValidationError as error:
            for key, texts in error.message_dict.items():
                if key == "attribute_schema":
                    attributes._non_form_errors = attributes.error_class(
                        [*attributes.non_form_errors(), *texts], error_class="nonform"
                    )
                else:
                    for text in texts:
                        form.add_error(key if key in form.fields else None, text)
        else:
            if applied is None:
                form.add_error("code", _("A category with this code exists already."))
            else:
                messages.success(request, _("The category %(code)s was saved.") % {"code": code})
                mismatched = items_not_matching_their_schema(applied.obj)
                if mismatched:
                    messages.warning(
                        request,
                        _(
                            "%(count)s items of this category or below no longer match its attributes (e.g. "
                            "%(codes)s). They keep their values; editing one asks for the missing or changed ones."
                        )
                        % {"count": len(mismatched), "codes": ", ".join(mismatched[:5])},
                    )
                return redirect("catalog_admin:category_index")
    parent = form.cleaned_data.get("parent") if form.is_bound and hasattr(form, "cleaned_data") else None
    parent = parent or (category.parent if category is not None else None)
    inherited = parent.effective_schema() if parent is not None else []
    title = f"{category.code} {category.display_name}" if category else _("New category")
    return _render(
        request,
        "catalog/admin/category_form.html",
        title,
        {"form": form, "attributes": attributes, "category": category, "inherited": inherited, "parent": parent},
        icon="folder-open-inverse",
    )


@steward_required
@require_http_methods(["GET", "POST"])
def category_create(request):
    return _category_page(request)


@steward_required
@require_http_methods(["GET", "POST"])
def category_edit(request, category_id):
    category = get_object_or_404(Category, uuid=category_id)
    return _category_page(request, category=category)


# Units -----------------------------------------------------------------------------------------------------


@viewer_required
@require_GET
def unit_index(request):
    units = UnitOfMeasure.objects.order_by("dimension", "factor", "code")
    return _render(request, "catalog/admin/unit_index.html", _("Units of measure"), {"units": units}, icon="order")


def _unit_page(request, *, unit=None):
    if request.method == "POST":
        form = UnitForm(request.POST, unit=unit)
        if form.is_valid():
            code = unit.code if unit is not None else form.cleaned_data["code"]
            values = {key: value for key, value in form.cleaned_data.items() if key != "code"}
            if unit is not None:
                del values["factor"]  # fixed once the unit exists (UnitForm)
            upsert = unit_upsert if unit is not None else partial(_create, unit_upsert)
            try:
                if unit is None and UnitOfMeasure.objects.filter(code=code).exists():
                    # (the service would audit the factor "change" before _create rolls it back, and the audit
                    # row cannot hold a Decimal; _create still guards the rare race)
                    applied = None
                else:
                    applied = upsert(actor=request.user, code=code, values=values, request=request)
            except ValidationError as error:
                for key, texts in error.message_dict.items():
                    for text in texts:
                        form.add_error(key if key in form.fields else None, text)
            else:
                if applied is None:
                    form.add_error("code", _("A unit with this code exists already."))
                else:
                    messages.success(request, _("The unit %(code)s was saved.") % {"code": code})
                    return redirect("catalog_admin:unit_index")
    else:
        initial = {}
        if unit is not None:
            initial = {
                "name": unit.name,
                "name_en": unit.name_en,
                "dimension": unit.dimension,
                "factor": unit.factor.normalize(),
                "is_active": unit.is_active,
            }
        form = UnitForm(initial=initial, unit=unit)
    title = unit.code if unit is not None else _("New unit")
    return _render(request, "catalog/admin/unit_form.html", title, {"form": form, "unit": unit}, icon="order")


@steward_required
@require_http_methods(["GET", "POST"])
def unit_create(request):
    return _unit_page(request)


@steward_required
@require_http_methods(["GET", "POST"])
def unit_edit(request, unit_id):
    return _unit_page(request, unit=get_object_or_404(UnitOfMeasure, uuid=unit_id))


# Import ----------------------------------------------------------------------------------------------------


def _stored_upload(request, token):
    """The upload this person previewed under `token` (kept in their own session), as (name, bytes)."""
    entry = request.session.get(IMPORT_SESSION_KEY, {}).get(token or "")
    if entry is None:
        return None
    try:
        with default_storage.open(entry["path"], "rb") as handle:
            return entry["name"], handle.read()
    except FileNotFoundError:
        return None


def _forget_upload(request, token):
    uploads = request.session.get(IMPORT_SESSION_KEY, {})
    entry = uploads.pop(token, None)
    request.session[IMPORT_SESSION_KEY] = uploads
    if entry is not None:
        default_storage.delete(entry["path"])


def _import_page(request, *, form=None, plan=None, token=None, status=200):
    categories = categories_linked()
    context = {"form": form or ImportUploadForm(), "plan": plan, "token": token, "preview_limit": PREVIEW_ROWS}
    if plan is not None:
        shown = [row for row in plan.rows if row.action != "unchanged"]
        codes = {row.row: row.code for row in plan.rows}
        errors = plan.errors
        context |= {
            "counts": {action: plan.count(action) for action in ("create", "change", "unchanged", "error")},
            "error_count": len(errors),
            "errors": [
                {"row": error.row, "code": codes.get(error.row, ""), "column": error.column, "message": error.message}
                for error in errors[:PREVIEW_ROWS]
            ],
            "preview_rows": shown[:PREVIEW_ROWS],
            "shown_limit_reached": len(shown) > PREVIEW_ROWS,
        }
    context["category_rows"] = category_tree(categories.values())
    return _render(request, "catalog/admin/import.html", _("Import items"), context, icon="upload", status=status)


@steward_required
@require_http_methods(["GET", "POST"])
def import_items(request):
    """Step 1 (upload → dry-run preview) and step 2 (apply the previewed file, all rows or none)."""
    if request.method == "GET":
        return _import_page(request)
    if request.POST.get("action") == "apply":
        token = request.POST.get("token", "")
        upload = _stored_upload(request, token)
        if upload is None:
            messages.error(request, _("The preview has expired. Upload the file again."))
            return redirect("catalog_admin:import_items")
        name, content = upload
        try:
            plan = apply_import(actor=request.user, table=read_table(name, content), request=request)
        except ImportNotApplied as refused:
            messages.error(request, _("Nothing was imported: the rows below have errors now."))
            return _import_page(request, plan=refused.plan, token=token, status=400)
        _forget_upload(request, token)
        messages.success(
            request,
            _("Imported: %(created)s items created, %(changed)s changed, %(unchanged)s unchanged.")
            % {"created": plan.count("create"), "changed": plan.count("change"), "unchanged": plan.count("unchanged")},
        )
        return redirect("catalog_admin:item_index")

    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        if upload.size > MAX_BYTES:
            raise ImportFileError(_("The file is larger than 10 MB. Split it into several imports."))
        content = upload.read()
        table = read_table(upload.name, content)
    except ImportFileError as error:
        form.add_error("file", error.message)
        return _import_page(request, form=form, status=400)
    plan = plan_import(table)
    # The file waits under a random name for step 2; only this person's session knows the token.
    token = secrets.token_urlsafe(18)
    extension = os.path.splitext(upload.name)[1].lower()
    path = default_storage.save(f"catalog-imports/{token}{extension}", ContentFile(content))
    uploads = request.session.get(IMPORT_SESSION_KEY, {})
    for old_token in list(uploads)[: max(0, len(uploads) - KEPT_PREVIEWS + 1)]:
        default_storage.delete(uploads.pop(old_token)["path"])
    uploads[token] = {"name": os.path.basename(upload.name), "path": path}
    request.session[IMPORT_SESSION_KEY] = uploads
    return _import_page(request, plan=plan, token=token)


@steward_required
@require_GET
def import_error_report(request):
    token = request.GET.get("token", "")
    upload = _stored_upload(request, token)
    if upload is None:
        raise Http404
    try:
        plan = plan_import(read_table(*upload))
    except ImportFileError as error:
        raise Http404 from error
    response = HttpResponse(error_report_csv(plan), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="item-import-errors.csv"'
    return response


@viewer_required
@require_GET
def import_template(request):
    code = request.GET.get("category", "")
    category = None
    if code:
        categories = {c.code: c for c in categories_linked().values()}
        category = categories.get(code)
        if category is None:
            raise Http404
    content = template_workbook(category, _units())
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"item-import-{category.code if category else 'all'}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
