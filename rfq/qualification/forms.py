from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Category
from portal.documents.services import ALLOWED_TYPES
from portal.organisations.models import Company

from .models import DocumentType, QualificationRequirement

FILE_ACCEPT = ",".join(f".{extension}" for extension in ("pdf", "png", "jpg", "jpeg"))


class DateInput(forms.DateInput):
    input_type = "date"


def category_tree() -> list[tuple]:
    """Active categories in tree order (parents before their children) with their depth, in one query."""
    categories = list(Category.objects.filter(is_active=True).order_by("sort_order", "code"))
    children: dict = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    known = {category.pk for category in categories}
    ordered: list[tuple] = []

    def walk(parent_id, depth):
        for child in children.get(parent_id, []):
            ordered.append((child, depth))
            walk(child.pk, depth + 1)

    walk(None, 0)
    # children of an inactive parent still appear, after the tree
    for parent_id in children:
        if parent_id is not None and parent_id not in known:
            walk(parent_id, 0)
    return ordered


class DocumentForm(forms.Form):
    document_type = forms.ModelChoiceField(
        label=_("Document type"), queryset=DocumentType.objects.filter(is_active=True)
    )
    issuing_body = forms.CharField(label=_("Issuing body"), max_length=200)
    number = forms.CharField(label=_("Document number"), max_length=100)
    issued_on = forms.DateField(label=_("Issued on"), widget=DateInput)
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty only for documents without an expiry date (e.g. a business licence)."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("A scan or PDF of the document."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{extension}" for extension in ALLOWED_TYPES)}),
    )

    def __init__(self, *args, replaces=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.replaces = replaces
        if replaces is not None:
            self.fields["document_type"].queryset = DocumentType.objects.filter(pk=replaces.document_type_id)
            self.fields["document_type"].initial = replaces.document_type_id
            self.fields["document_type"].disabled = True
            self.fields["issuing_body"].initial = replaces.issuing_body
            self.fields["expires_on"].required = replaces.document_type.has_expiry

    def clean(self):
        data = super().clean()
        document_type = data.get("document_type")
        issued_on, expires_on = data.get("issued_on"), data.get("expires_on")
        needs_expiry = document_type is not None and document_type.has_expiry
        if needs_expiry and not expires_on and "expires_on" not in self.errors:
            self.add_error("expires_on", _("%(type)s has an expiry date: enter it.") % {"type": document_type})
        if issued_on and expires_on and expires_on < issued_on:
            self.add_error("expires_on", _("The expiry date cannot be before the issue date."))
        return data


class CategoryDeclareForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.filter(is_active=True))
    capacity_note = forms.CharField(
        label=_("Capacity"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. monthly capacity, sizes or grades you make."),
    )
    certificates = forms.FileField(
        label=_("Certificate"),
        required=False,
        help_text=_("Optional: a certificate for this category (PDF or image)."),
        widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "---------")] + [
            (category.pk, "\u2003" * depth + f"{category.code} {category.display_name}")
            for category, depth in category_tree()
        ]


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class DocumentTypeForm(forms.ModelForm):
    class Meta:
        model = DocumentType
        fields = ["code", "name", "name_en", "has_expiry", "is_active", "sort_order"]


class RequirementForm(forms.ModelForm):
    class Meta:
        model = QualificationRequirement
        fields = ["document_type", "category", "company"]

    def __init__(self, *args, companies=None, allow_group=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies if companies is not None else Company.objects.all()
        self.fields["company"].required = not allow_group
        self.fields["category"].queryset = Category.objects.filter(is_active=True)


class DocumentFilterForm(forms.Form):
    """The filters of the back office's list of every supplier's qualification documents (all optional)."""

    NEWEST = "newest"
    EXPIRING = "expiring"

    q = forms.CharField(label=_("Supplier"), required=False, max_length=200, help_text=_("Name or tax ID"))
    document_type = forms.ModelChoiceField(
        label=_("Document type"), required=False, queryset=DocumentType.objects.order_by("sort_order", "code")
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    expires_within = forms.IntegerField(label=_("Expires within (days)"), required=False, min_value=0, max_value=3650)
    expired = forms.BooleanField(label=_("Expired"), required=False)
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[(NEWEST, _("Newest first")), (EXPIRING, _("Soonest expiring first"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import DocumentStatus

        self.fields["status"].choices = [("", _("Any status")), *DocumentStatus.choices]
