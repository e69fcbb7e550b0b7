"""The back office for onboarding (Wagtail admin at /cms/onboarding/): registrations to approve, join requests
of partners without an administrator, and invitations of customer contacts by sales staff. Objects come through
the access layer (404 for what the person may not see); a refused role gets a plain 403 page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core.errors import DomainError
from portal.organisations.access import get_object_for_user, scope_of
from portal.organisations.admin_views import _forbidden
from portal.organisations.models import Partner

from .forms import COUNTRY_CHOICES, InvitationForm, JoinRequestDecisionForm, RejectForm
from .models import JoinRequestStatus, RegistrationStatus
from .selectors import (
    get_join_request_for_user,
    get_registration_for_user,
    invitable_customers,
    partners_with_admin,
    pending_join_requests,
    pending_registrations,
)
from .services import (
    can_invite,
    invitation_create,
    join_request_accept,
    join_request_decline,
    registration_approve,
    registration_reject,
)


def country_label(code: str) -> str:
    return str(dict(COUNTRY_CHOICES).get(code, code))


def _render(request, template, title, context, icon="user", status=200):
    return TemplateResponse(request, template, {"page_title": title, "header_icon": icon, **context}, status=status)


def registration_index(request):
    scope = scope_of(request.user)
    if not scope.is_group_admin:
        return _forbidden(request)
    join_requests = list(pending_join_requests(request.user))
    with_admin = partners_with_admin([join_request.partner_id for join_request in join_requests])
    return _render(
        request,
        "onboarding/admin/registration_index.html",
        _("Registrations"),
        {
            "registrations": pending_registrations(request.user),
            "join_requests": [(jr, jr.partner_id in with_admin) for jr in join_requests],
        },
    )


def registration_detail(request, registration_id):
    registration = get_registration_for_user(request.user, registration_id)
    if not scope_of(request.user).is_group_admin:
        return _forbidden(request)
    return _render(
        request,
        "onboarding/admin/registration_detail.html",
        registration.partner.name,
        {
            "registration": registration,
            "partner": registration.partner,
            "country": country_label(registration.partner.country),
            "is_pending": registration.status == RegistrationStatus.PENDING,
            "reject_form": RejectForm(),
        },
    )


@require_POST
def registration_decide(request, registration_id):
    registration = get_registration_for_user(request.user, registration_id)
    if not scope_of(request.user).is_group_admin:
        return _forbidden(request)
    action = request.POST.get("action")
    try:
        if action == "approve":
            registration_approve(actor=request.user, registration=registration, request=request)
            messages.success(request, _("%(partner)s was approved.") % {"partner": registration.partner.name})
            return redirect("onboarding_admin:registration_index")
        if action == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                return _render(
                    request,
                    "onboarding/admin/registration_detail.html",
                    registration.partner.name,
                    {
                        "registration": registration,
                        "partner": registration.partner,
                        "country": country_label(registration.partner.country),
                        "is_pending": True,
                        "reject_form": form,
                    },
                    status=400,
                )
            registration_reject(
                actor=request.user, registration=registration, reason=form.cleaned_data["reason"], request=request
            )
            messages.success(request, _("%(partner)s was rejected.") % {"partner": registration.partner.name})
            return redirect("onboarding_admin:registration_index")
    except DomainError as error:
        messages.error(request, error.message)
    except PermissionDenied:
        return _forbidden(request)
    return redirect("onboarding_admin:registration_detail", registration_id=registration.uuid)


def join_request_detail(request, join_request_id):
    join_request = get_join_request_for_user(request.user, join_request_id)
    if not scope_of(request.user).is_group_admin:
        return _forbidden(request)
    form = JoinRequestDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["action"] == JoinRequestDecisionForm.ACCEPT:
                join_request_accept(
                    actor=request.user, join_request=join_request, roles=form.cleaned_data["roles"], request=request
                )
                messages.success(request, _("%(person)s is now a member.") % {"person": join_request.user.email})
            else:
                join_request_decline(
                    actor=request.user, join_request=join_request, reason=form.cleaned_data["reason"], request=request
                )
                messages.success(request, _("The request was declined."))
            return redirect("onboarding_admin:registration_index")
        except DomainError as error:
            messages.error(request, error.message)
    return _render(
        request,
        "onboarding/admin/join_request_detail.html",
        _("Request to join %(partner)s") % {"partner": join_request.partner.name},
        {"join_request": join_request, "form": form, "is_pending": join_request.status == JoinRequestStatus.PENDING},
        status=400 if request.method == "POST" else 200,
    )


def customer_index(request):
    scope = scope_of(request.user)
    if not scope.is_staff:
        return _forbidden(request)
    return _render(
        request,
        "onboarding/admin/customer_index.html",
        _("Invite customer contacts"),
        {"customers": invitable_customers(request.user)[:200]},
        icon="mail",
    )


def customer_invite(request, partner_id):
    partner = get_object_for_user(Partner.objects.filter(is_customer=True), request.user, partner_id)
    if not can_invite(request.user, partner):
        return _forbidden(request)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(
                actor=request.user,
                partner=partner,
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
                request=request,
            )
        except DomainError as error:
            form.add_error("email", error.message)
        else:
            messages.success(
                request, _("The invitation was sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("onboarding_admin:customer_index")
    return _render(
        request,
        "onboarding/admin/customer_invite.html",
        _("Invite a contact of %(partner)s") % {"partner": partner.name},
        {"partner": partner, "form": form},
        icon="mail",
        status=400 if request.method == "POST" else 200,
    )
