"""The payments back office (/cms/payments/): each company's payment set-up, and the staff's cancel of an order.

Staff see the companies they work for (group-wide staff: all); another company's set-up is a 404. Group
administrators and the company's finance staff edit it; other staff get a plain 403 page. Secrets are write-only:
shown masked, kept when left blank, stored encrypted, never audited. The cancel page is for the order company's
sales staff, sales managers and group administrators (the order review pages link to it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from portal.core.back_office import allowed_if
from portal.core.back_office import forbidden as _forbidden
from portal.core.errors import DomainError
from portal.organisations.access import get_object_for_user, scope_of
from portal.organisations.models import Company
from selfservice.orders.cancel import cancelling_side, is_cancellable, order_cancel
from selfservice.orders.models import SalesOrder
from selfservice.orders.workflow import staff_order_url

from .models import Payment, PaymentMethod, PaymentSetup
from .services import may_edit_payment_setup, payment_setup_save

MASK = "••••••••"


def may_view_payments(user: Any) -> bool:
    return scope_of(user).is_staff


staff_required = allowed_if(may_view_payments)


def _companies(user):
    scope = scope_of(user)
    return Company.objects.all() if scope.is_group else Company.objects.filter(pk__in=scope.company_ids)


def webhook_url(company: Company) -> str:
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return base + reverse("stripe_webhooks:stripe", kwargs={"company_code": company.code})


@staff_required
@require_GET
def setup_index(request):
    """Every company the person works for, with how it takes prepayment (two queries whatever the count)."""
    companies = list(_companies(request.user).order_by("code"))
    setups = {setup.company_id: setup for setup in PaymentSetup.objects.filter(company__in=[c.pk for c in companies])}
    rows = [
        {
            "company": company,
            "setup": setups.get(company.pk),
            "may_edit": may_edit_payment_setup(request.user, company),
        }
        for company in companies
    ]
    flagged = (
        Payment.objects.visible_to(request.user)
        .filter(needs_review=True)
        .select_related("order", "company")
        .order_by("-updated_at")[:50]
    )
    return TemplateResponse(
        request,
        "selfservice/payments/admin/setup_index.html",
        {"page_title": _("Payments"), "header_icon": "decimal", "rows": rows, "flagged": list(flagged)},
    )


class PaymentSetupForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("Prepayment by"), choices=PaymentMethod.choices)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)
    stripe_publishable_key = forms.CharField(
        label=gettext_lazy("Stripe publishable key"), max_length=200, required=False
    )
    stripe_secret_key = forms.CharField(
        label=gettext_lazy("Stripe secret key"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Leave blank to keep the stored key."),
    )
    stripe_webhook_secret = forms.CharField(
        label=gettext_lazy("Stripe webhook signing secret"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Leave blank to keep the stored secret."),
    )
    bank_name = forms.CharField(label=gettext_lazy("Bank"), max_length=200, required=False)
    bank_account_name = forms.CharField(label=gettext_lazy("Account name"), max_length=200, required=False)
    bank_account_number = forms.CharField(label=gettext_lazy("Account number"), max_length=60, required=False)
    bank_swift = forms.CharField(label=gettext_lazy("SWIFT / BIC"), max_length=20, required=False)
    instructions = forms.CharField(
        label=gettext_lazy("Instructions for the customer"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_stripe_publishable_key(self):
        value = self.cleaned_data["stripe_publishable_key"].strip()
        if value and not value.startswith("pk_"):
            raise forms.ValidationError(_("A publishable key starts with “pk_”."))
        return value

    def clean_stripe_secret_key(self):
        value = self.cleaned_data["stripe_secret_key"].strip()
        if value and not (value.startswith("sk_") or value.startswith("rk_")):
            raise forms.ValidationError(_("A secret key starts with “sk_” (or “rk_” for a restricted key)."))
        return value

    def clean_stripe_webhook_secret(self):
        value = self.cleaned_data["stripe_webhook_secret"].strip()
        if value and not value.startswith("whsec_"):
            raise forms.ValidationError(_("A webhook signing secret starts with “whsec_”."))
        return value


def _company(user, code: str) -> Company:
    company = _companies(user).filter(code=code).first()
    if company is None:
        raise Http404
    return company


@staff_required
@require_http_methods(["GET", "POST"])
def setup_edit(request, company_code):
    company = _company(request.user, company_code)
    if not may_edit_payment_setup(request.user, company):
        return _forbidden(request)
    setup = PaymentSetup.objects.filter(company=company).first()
    initial = {"method": PaymentMethod.BANK_TRANSFER, "is_active": True}
    if setup is not None:
        initial = {
            name: getattr(setup, name)
            for name in (
                "method",
                "is_active",
                "stripe_publishable_key",
                "bank_name",
                "bank_account_name",
                "bank_account_number",
                "bank_swift",
                "instructions",
            )
        }
    form = PaymentSetupForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            secret_key = data.pop("stripe_secret_key")
            webhook_secret = data.pop("stripe_webhook_secret")
            try:
                payment_setup_save(
                    actor=request.user,
                    company=company,
                    values=data,
                    secret_key=secret_key,
                    webhook_secret=webhook_secret,
                    request=request,
                )
            except PermissionDenied:
                return _forbidden(request)
            except DomainError as error:
                form.add_error(None, error.message)
                status = 422
            else:
                messages.success(request, _("Payment set-up of %(company)s saved.") % {"company": company.code})
                return redirect("payments_admin:setup_index")
        else:
            status = 422
    return TemplateResponse(
        request,
        "selfservice/payments/admin/setup_form.html",
        {
            "page_title": _("Payment set-up of %(company)s") % {"company": company.code},
            "header_icon": "decimal",
            "company": company,
            "form": form,
            "has_secret_key": bool(setup and setup.stripe_secret_key),
            "has_webhook_secret": bool(setup and setup.stripe_webhook_secret),
            "mask": MASK,
            "webhook_url": webhook_url(company),
        },
        status=status,
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (the customer reads it)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def order_cancel_view(request, order_id):
    """Staff cancel an order with a reason (the review pages link here)."""
    order = get_object_for_user(SalesOrder.objects.select_related("company", "customer"), request.user, order_id)
    if cancelling_side(request.user, order) != "staff":
        return _forbidden(request)
    form = CancelForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                order_cancel(actor=request.user, order=order, reason=form.cleaned_data["reason"], request=request)
            except PermissionDenied:
                return _forbidden(request)
            except DomainError as error:
                form.add_error(None, error.message)
                status = 422
            else:
                messages.success(request, _("Order %(order)s is cancelled.") % {"order": order.number})
                return redirect(staff_order_url(order))
        else:
            status = 422
    payment = order.payments.filter(state__in=("pending", "succeeded")).first()
    return TemplateResponse(
        request,
        "selfservice/payments/admin/order_cancel.html",
        {
            "page_title": _("Cancel order %(order)s") % {"order": order.number},
            "header_icon": "cross",
            "order": order,
            "payment": payment,
            "is_cancellable": is_cancellable(order),
            "form": form,
            "order_url": staff_order_url(order),
        },
        status=status,
    )
