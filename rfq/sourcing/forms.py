"""Forms of the buyer's RFQ screens. They check what a form can check (types, the weights' sum, the deadline's
date and time in the buyer's zone); the services check the rest again."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Item, UnitOfMeasure
from portal.organisations.models import Site

from .models import FreightPaidBy, Incoterm, Rfq
from .rfq_pdf import plain
from .rfqs import AMENDABLE_FIELDS, RFQ_FIELDS, check_weights

PHASES = [
    ("", _("Any")),
    ("draft", _("Draft")),
    ("open", _("Taking bids")),
    ("closed", _("Closed, awaiting opening")),
    ("opened", _("Opened")),
    ("awarded", _("Awarded")),
    ("cancelled", _("Cancelled")),
]


class RfqFilterForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), required=False, choices=PHASES)
    company = forms.ChoiceField(label=_("Company"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = [("", _("All")), *((c.code, f"{c.code} {c.name}") for c in companies)]
        self.fields["q"].widget.attrs["placeholder"] = _("Number or title")


class RfqForm(forms.ModelForm):
    company = forms.ModelChoiceField(label=_("Company"), queryset=None, required=True)

    class Meta:
        model = Rfq
        fields = list(RFQ_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, companies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if companies is None:
            del self.fields["company"]
        else:
            self.fields["company"].queryset = companies
            self.fields["company"].empty_label = None
            self.order_fields(["company", *RFQ_FIELDS])

    def clean(self):
        data = super().clean()
        if all(data.get(name) is not None for name in ("weight_price", "weight_delivery", "weight_quality")):
            try:
                check_weights(data)
            except ValidationError as error:
                for message in error.message_dict["weight_price"]:
                    self.add_error("weight_price", message)
        return data

    def rfq_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in RFQ_FIELDS}


class LineForm(forms.Form):
    item_code = forms.CharField(label=_("Item code"), required=False, max_length=40)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=18, decimal_places=4, min_value=0)
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=UnitOfMeasure.objects.filter(is_active=True), to_field_name="code", required=False
    )
    need_by = forms.DateField(label=_("Need by"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    site = forms.ModelChoiceField(label=_("Delivery site"), queryset=Site.objects.none(), required=False)
    last_price = forms.DecimalField(label=_("Last price"), required=False, max_digits=20, decimal_places=4, min_value=0)
    target_price = forms.DecimalField(
        label=_("Target price"), required=False, max_digits=20, decimal_places=4, min_value=0
    )
    requisition_line = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites if sites is not None else Site.objects.none()
        self.fields["unit"].empty_label = _("(item's unit)")

    def clean_item_code(self):
        code = self.cleaned_data["item_code"].strip()
        if not code:
            return None
        item = Item.objects.select_related("base_unit").filter(code__iexact=code).first()
        if item is None:
            raise ValidationError(_("No item with the code “%(code)s” in the item master.") % {"code": code})
        return item

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity is not None and quantity <= 0:
            raise ValidationError(_("The quantity must be more than zero."))
        return quantity

    def clean(self):
        data = super().clean()
        item = data.get("item_code")
        if "item_code" in data and item is None and not (data.get("description") or "").strip():
            self.add_error("description", _("Choose an item or describe the service."))
        if "unit" in data and data.get("unit") is None:
            if item is not None:
                data["unit"] = item.base_unit
            else:
                self.add_error("unit", _("Choose the unit of a service line."))
        return data

    def line(self) -> dict:
        data = self.cleaned_data
        return {
            "item": data["item_code"],
            "description": data["description"],
            "quantity": data["quantity"],
            "unit": data["unit"],
            "need_by": data["need_by"],
            "site": data["site"],
            "last_price": data["last_price"],
            "target_price": data["target_price"],
            "requisition_line_id": data.get("requisition_line"),
        }


class BaseLineFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not self.lines():
            raise ValidationError(_("Add at least one line."))

    def lines(self) -> list[dict]:
        """The lines to keep: every existing line not marked for removal (changed or not) and each filled-in new
        one; a new line left empty is ignored."""
        existing = self.initial_form_count()
        return [
            form.line()
            for index, form in enumerate(self.forms)
            if (index < existing or form.has_changed()) and form.is_valid() and not self._should_delete_form(form)
        ]


LineFormSet = forms.formset_factory(
    LineForm, formset=BaseLineFormSet, extra=2, can_delete=True, max_num=500, validate_max=True
)


def line_initial(line) -> dict:
    return {
        "item_code": line.item.code if line.item_id else "",
        "description": line.description,
        "quantity": plain(line.quantity),
        "unit": line.unit.code,
        "need_by": line.need_by,
        "site": line.site_id,
        "last_price": plain(line.last_price) or None,
        "target_price": plain(line.target_price) or None,
        "requisition_line": line.requisition_line_id,
    }


class DeadlineWidget(forms.MultiWidget):
    def __init__(self, attrs=None):
        super().__init__(
            widgets=[forms.DateInput(attrs={"type": "date"}), forms.TimeInput(attrs={"type": "time"}, format="%H:%M")],
            attrs=attrs,
        )

    def decompress(self, value):
        if value is None:
            return [None, None]
        local = timezone.localtime(value)
        return [local.date(), local.time().replace(second=0, microsecond=0)]


class DeadlineField(forms.MultiValueField):
    """A date and a time in the person's zone (the one the portal shows them), answered as an aware instant."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", DeadlineWidget())
        super().__init__(fields=(forms.DateField(), forms.TimeField()), require_all_fields=True, **kwargs)

    def compress(self, data_list):
        if not data_list:
            return None
        date, time = data_list
        if date is None or time is None:
            raise ValidationError(_("Give both the date and the time."))
        return timezone.make_aware(dt.datetime.combine(date, time), timezone.get_current_timezone())


def deadline_field(label, required=True) -> DeadlineField:
    field = DeadlineField(label=label, required=required)
    field.help_text = _("In your time zone: %(zone)s.") % {"zone": timezone.get_current_timezone_name()}
    return field


class PublishForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"] = deadline_field(_("Bids close"))

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline is not None and deadline <= timezone.now():
            raise ValidationError(_("The deadline must be in the future."))
        return deadline


class AmendForm(forms.Form):
    summary = forms.CharField(
        label=_("What changed"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Every invited supplier reads this."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    payment_terms = forms.CharField(label=_("Payment terms"), required=False, max_length=200)
    incoterm = forms.ChoiceField(label=_("Incoterms"), choices=Incoterm.choices)
    incoterm_place = forms.CharField(label=_("Incoterms place"), required=False, max_length=200)
    freight_paid_by = forms.ChoiceField(label=_("Freight paid by"), choices=FreightPaidBy.choices)
    attachment = forms.FileField(label=_("Add a document"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"] = deadline_field(_("New deadline"), required=False)
        self.fields["deadline"].help_text = _(
            "Leave empty to keep the deadline; it can only move later. In your time zone: %(zone)s."
        ) % {"zone": timezone.get_current_timezone_name()}
        self.order_fields(["summary", "deadline"])

    def amended_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in AMENDABLE_FIELDS}


class AmendLineForm(forms.Form):
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=18, decimal_places=4)
    need_by = forms.DateField(label=_("Need by"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity <= 0:
            raise ValidationError(_("The quantity must be more than zero."))
        return quantity


AmendLineFormSet = forms.formset_factory(AmendLineForm, extra=0, max_num=500)


class InviteForm(forms.Form):
    supplier = forms.CharField(label=_("Supplier's tax id"), max_length=40)
    override_reason = forms.CharField(
        label=_("Reason for inviting despite the AVL"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the approved vendor list does not allow the supplier; shown in the comparison."),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Document"))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The invited suppliers read it."),
    )


class RoundForm(forms.Form):
    invitations = forms.MultipleChoiceField(
        label=_("Suppliers for the new round"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    note = forms.CharField(
        label=_("Note to the suppliers"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, bidders, **kwargs):
        super().__init__(*args, **kwargs)
        self.bidders = {str(invitation.uuid): invitation for invitation in bidders}
        self.fields["invitations"].choices = [
            (key, invitation.supplier.name) for key, invitation in self.bidders.items()
        ]
        self.fields["deadline"] = deadline_field(_("Bids close"))
        self.order_fields(["invitations", "deadline", "note"])

    def chosen(self) -> list:
        return [self.bidders[key] for key in self.cleaned_data["invitations"]]


class RequisitionsForm(forms.Form):
    requisitions = forms.MultipleChoiceField(label=_("Open requisitions"), widget=forms.CheckboxSelectMultiple)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)

    def __init__(self, *args, requisitions, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_key = {str(requisition.uuid): requisition for requisition in requisitions}
        self.fields["requisitions"].choices = [
            (key, f"{row.company.code} · {row.external_id} {row.title}") for key, row in self.by_key.items()
        ]

    def clean_requisitions(self):
        chosen = [self.by_key[key] for key in self.cleaned_data["requisitions"]]
        if len({row.company_id for row in chosen}) > 1:
            raise ValidationError(_("Choose requisitions of one company."))
        return chosen
