"""Public sign-up, the applicant's status page, invitations and join requests for partner administrators."""

from allauth.core.ratelimit import consume_or_429
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.core.errors import DomainError
from portal.core.scoped_views import require_partner_role
from portal.organisations.models import PartnerRole

from .forms import InvitedPasswordForm, JoinRequestDecisionForm, SignupForm
from .models import JoinRequest, JoinRequestStatus, RegistrationKind
from .selectors import get_join_request_for_user, own_onboarding, pending_join_requests_of_partner
from .services import (
    SignupData,
    can_decide_join_request,
    invitation_accept,
    invitation_for_token,
    invited_user_create,
    join_request_accept,
    join_request_decline,
    registration_submit,
)

SIGNUP_DONE_SESSION_KEY = "onboarding_signup_done"


@require_http_methods(["GET", "POST"])
def signup(request, kind):
    if request.user.is_authenticated:
        return redirect("onboarding_status")
    if request.method == "POST":
        # allauth's own sign-up limit (ACCOUNT_RATE_LIMITS["signup"], 20 a minute per IP by default)
        refused = consume_or_429(request, action="signup")
        if refused is not None:
            return refused
    form = SignupForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        signup_data = SignupData(
            kind=kind,
            name=data["name"],
            name_en=data["name_en"],
            tax_id=data["tax_id"],
            country=data["country"],
            address=data["address"],
            contact_name=data["contact_name"],
            phone=data["phone"],
            email=data["email"],
            password=data["password1"],
            language=get_language(),
        )
        try:
            result = registration_submit(data=signup_data, licence=data["licence"], request=request)
        except DomainError as error:
            form.add_error("email", error.message)
        else:
            request.session[SIGNUP_DONE_SESSION_KEY] = {
                "email": data["email"],
                "join": isinstance(result, JoinRequest),
                "partner": result.partner.name,
            }
            return redirect("onboarding_signup_done")
    title = _("Register as a supplier") if kind == RegistrationKind.SUPPLIER else _("Register as a customer")
    return render(request, "onboarding/signup.html", {"form": form, "kind": kind, "title": title})


def signup_done(request):
    done = request.session.get(SIGNUP_DONE_SESSION_KEY)
    if not done:
        return redirect("/")
    return render(request, "onboarding/signup_done.html", {"done": done})


@login_required
def status(request):
    """What became of the person's registrations and requests to join ("pending approval")."""
    registrations, join_requests = own_onboarding(request.user)
    return render(request, "onboarding/status.html", {"registrations": registrations, "join_requests": join_requests})


# ---------------------------------------------------------------------------------------------------- join requests


@login_required
def join_request_list(request):
    membership = require_partner_role(request, PartnerRole.ADMIN)
    return render(
        request,
        "onboarding/join_request_list.html",
        {"partner": membership.partner, "join_requests": pending_join_requests_of_partner(membership.partner)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def join_request_detail(request, join_request_id):
    join_request = get_join_request_for_user(request.user, join_request_id)
    if not can_decide_join_request(request.user, join_request):
        raise PermissionDenied
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
            return redirect("onboarding_join_requests")
        except DomainError as error:
            messages.error(request, error.message)
    return render(
        request,
        "onboarding/join_request_detail.html",
        {"join_request": join_request, "form": form, "is_pending": join_request.status == JoinRequestStatus.PENDING},
    )


# ------------------------------------------------------------------------------------------------------ invitations


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """The link from the invitation e-mail. The invited address logs in (or, new, sets a password) and accepts;
    anyone else logged in gets 404, like any object that is not theirs."""
    invitation = invitation_for_token(token)
    user = request.user
    if user.is_authenticated:
        if invitation is None or user.email.lower() != invitation.email.lower():
            raise Http404
        if request.method == "POST":
            try:
                invitation_accept(token=token, user=user, request=request)
            except DomainError as error:
                messages.error(request, error.message)
                return redirect("account_home")
            messages.success(request, _("You are now a member of %(partner)s.") % {"partner": invitation.partner.name})
            return redirect("account_home")
        return render(request, "onboarding/invitation.html", {"invitation": invitation, "form": None})
    if invitation is None:
        return render(request, "onboarding/invitation_invalid.html", status=404)
    if get_user_model().objects.filter(email__iexact=invitation.email).exists():
        # An existing account: log in first, then accept here.
        return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
    form = InvitedPasswordForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                new_user = invited_user_create(
                    invitation=invitation,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password1"],
                    language=get_language(),
                )
                invitation_accept(token=token, user=new_user, request=request)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Your account is ready and you are a member of %(partner)s. Log in with your e-mail and password.")
                % {"partner": invitation.partner.name},
            )
            return redirect(f"{reverse('account_login')}?{urlencode({'next': reverse('account_home')})}")
    return render(request, "onboarding/invitation.html", {"invitation": invitation, "form": form})
