"""The staff back office for partners and people (Wagtail admin at /cms/). Wagtail already requires
back-office access for every URL here; objects still come through the access layer, so staff of one company
get 404 for another company's partner."""

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.team_services import invitation_revoke, pending_invitations, team_member_invite
from portal.core.errors import DomainError
from portal.onboarding.models import Invitation

from .access import get_object_for_user, scope_of
from .forms import (
    MembershipRolesForm,
    PartnerSearchForm,
    PartnerStatusForm,
    StaffRoleGrantForm,
    TeamInvitationForm,
)
from .models import CustomerAccount, ExchangeRate, InvoicingDetails, Membership, Partner, StaffRole, SupplierAccount
from .services import (
    may_manage_team,
    membership_set_active,
    membership_set_roles,
    partner_set_status,
    staff_role_grant,
    staff_role_revoke,
    user_reset_mfa,
)

PAGE_SIZE = 50


def _render(request, template, title, context, icon="group"):
    return TemplateResponse(request, template, {"page_title": title, "header_icon": icon, **context})


def _forbidden(request):
    """A 403 page inside the back office. (Wagtail turns a raised PermissionDenied into a redirect to the
    dashboard, which hides the refusal; staff without the role should see plainly that it is refused.)"""
    return TemplateResponse(
        request,
        "organisations/admin/forbidden.html",
        {"page_title": _("Not allowed"), "header_icon": "warning"},
        status=403,
    )


def partner_index(request):
    form = PartnerSearchForm(request.GET or None)
    partners = Partner.objects.visible_to(request.user).order_by("name")
    if form.is_valid():
        if query := form.cleaned_data["q"].strip():
            partners = partners.filter(
                Q(name__icontains=query) | Q(name_en__icontains=query) | Q(tax_id__icontains=query)
            )
        if status := form.cleaned_data["status"]:
            partners = partners.filter(status=status)
    page = Paginator(partners, PAGE_SIZE).get_page(request.GET.get("p"))
    return _render(request, "organisations/admin/partner_index.html", _("Partners"), {"page": page, "form": form})


def exchange_rate_index(request):
    """The rates the ERPs book (read-only here: they arrive through /api/v1/). Staff see their companies' rates and
    the group's reference rates."""
    if not scope_of(request.user).is_staff:
        return _forbidden(request)
    rates = (
        (ExchangeRate.objects.visible_to(request.user) | ExchangeRate.objects.filter(company__isnull=True))
        .select_related("company")
        .order_by("-valid_on", "company__code", "base", "quote")
    )
    currency = request.GET.get("currency", "").strip().upper()[:3]
    if currency:
        rates = rates.filter(Q(base=currency) | Q(quote=currency))
    page = Paginator(rates, PAGE_SIZE).get_page(request.GET.get("p"))
    context = {"page": page, "currency": currency}
    return _render(request, "organisations/admin/exchange_rate_index.html", _("Exchange rates"), context, "doc-full")


def partner_detail(request, partner_id, invitation_form=None):
    partner = get_object_for_user(Partner, request.user, partner_id)
    scope = scope_of(request.user)
    may_manage = may_manage_team(request.user, partner)
    accounts = [
        *(
            (_("Supplier"), account)
            for account in SupplierAccount.objects.filter(partner=partner).select_related("company")
        ),
        *(
            (_("Customer"), account)
            for account in CustomerAccount.objects.filter(partner=partner).select_related("company")
        ),
    ]
    return _render(
        request,
        "organisations/admin/partner_detail.html",
        partner.name,
        {
            "partner": partner,
            "accounts": accounts,
            # From the ERP (through /api/v1/): where goods and invoices go, and what goes on a VAT invoice.
            "addresses": partner.addresses.select_related("company").order_by("-is_active", "kind", "code"),
            "invoicing": InvoicingDetails.objects.filter(partner=partner).first(),
            "memberships": Membership.objects.filter(partner=partner)
            .select_related("user")
            .order_by("-is_active", "user__email"),
            "may_manage_team": may_manage,
            "invitations": pending_invitations(partner) if may_manage else [],
            "invitation_form": (invitation_form or TeamInvitationForm()) if may_manage else None,
            "status_form": PartnerStatusForm(current_status=partner.status) if scope.is_group_admin else None,
        },
    )


@require_POST
def partner_invite(request, partner_id):
    """Staff who look after the partner invite one of its people (e.g. the contact the ERP knows)."""
    partner = get_object_for_user(Partner, request.user, partner_id)
    if not may_manage_team(request.user, partner):
        return _forbidden(request)
    form = TeamInvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = team_member_invite(
                actor=request.user,
                partner=partner,
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
                request=request,
            )
        except PermissionDenied:
            return _forbidden(request)
        except DomainError as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, _("An invitation was sent to %(email)s.") % {"email": invitation.email})
            return redirect("organisations_admin:partner_detail", partner_id=partner.uuid)
    return partner_detail(request, partner_id, invitation_form=form)


@require_POST
def partner_invitation_revoke(request, invitation_id):
    invitation = get_object_for_user(Invitation.objects.select_related("partner"), request.user, invitation_id)
    try:
        invitation_revoke(actor=request.user, invitation=invitation, request=request)
    except PermissionDenied:
        return _forbidden(request)
    messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("organisations_admin:partner_detail", partner_id=invitation.partner.uuid)


def membership_detail(request, membership_id):
    """A partner's member: roles and access, changed by staff who look after the partner (403 for other staff)."""
    membership = get_object_for_user(Membership.objects.select_related("user", "partner"), request.user, membership_id)
    may_manage = may_manage_team(request.user, membership.partner)
    form = MembershipRolesForm(request.POST or None, initial={"roles": membership.roles})
    if request.method == "POST":
        if not may_manage:
            return _forbidden(request)
        action = request.POST.get("action", "roles")
        try:
            if action in ("deactivate", "reactivate"):
                membership_set_active(
                    actor=request.user, membership=membership, is_active=action == "reactivate", request=request
                )
                messages.success(request, _("Access updated for %(person)s.") % {"person": membership.user})
                return redirect("organisations_admin:partner_detail", partner_id=membership.partner.uuid)
            if form.is_valid():
                membership_set_roles(
                    actor=request.user, membership=membership, roles=form.cleaned_data["roles"], request=request
                )
                messages.success(request, _("Roles updated for %(person)s.") % {"person": membership.user})
                return redirect("organisations_admin:partner_detail", partner_id=membership.partner.uuid)
        except DomainError as error:
            messages.error(request, error.message)
            membership.refresh_from_db()
    return _render(
        request,
        "organisations/admin/membership_detail.html",
        str(membership.user),
        {"membership": membership, "form": form, "may_manage_team": may_manage},
        icon="user",
    )


@require_POST
def partner_status(request, partner_id):
    partner = get_object_for_user(Partner, request.user, partner_id)
    if not scope_of(request.user).is_group_admin:
        return _forbidden(request)
    form = PartnerStatusForm(request.POST)
    if form.is_valid():
        try:
            partner_set_status(
                actor=request.user,
                partner=partner,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
            messages.success(request, _("The partner's status was changed."))
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Choose a valid status."))
    return redirect("organisations_admin:partner_detail", partner_id=partner.uuid)


def people_index(request):
    if not scope_of(request.user).is_group_admin:
        return _forbidden(request)
    query = request.GET.get("q", "").strip()
    people = get_user_model().objects.visible_to(request.user).order_by("email")
    if query:
        people = people.filter(
            Q(email__icontains=query) | Q(first_name__icontains=query) | Q(last_name__icontains=query)
        )
    people = people.prefetch_related(
        Prefetch("staff_roles", queryset=StaffRole.objects.select_related("company")),
        Prefetch("memberships", queryset=Membership.objects.select_related("partner")),
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("p"))
    second_factor_users = set(
        Authenticator.objects.filter(
            user__in=[person.pk for person in page], type__in=["totp", "webauthn"]
        ).values_list("user_id", flat=True)
    )
    return _render(
        request,
        "organisations/admin/people_index.html",
        _("People and roles"),
        {
            "page": page,
            "query": query,
            "second_factor_users": second_factor_users,
        },
        icon="user",
    )


def person_detail(request, person_id):
    person = get_object_for_user(get_user_model(), request.user, person_id)
    return _render(
        request,
        "organisations/admin/person_detail.html",
        str(person),
        {
            "person": person,
            "staff_roles": StaffRole.objects.filter(user=person).select_related("company"),
            "memberships": Membership.objects.filter(user=person).select_related("partner"),
            "authenticators": Authenticator.objects.filter(user=person).order_by("type"),
            "grant_form": StaffRoleGrantForm(),
        },
        icon="user",
    )


@require_POST
def person_mfa_reset(request, person_id):
    person = get_object_for_user(get_user_model(), request.user, person_id)
    try:
        removed = user_reset_mfa(actor=request.user, user=person, request=request)
        messages.success(
            request,
            _("Two-factor authentication was reset (%(count)s removed). The person must enrol again at the next login.")
            % {"count": removed},
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("organisations_admin:person_detail", person_id=person.uuid)


@require_POST
def person_role_grant(request, person_id):
    person = get_object_for_user(get_user_model(), request.user, person_id)
    form = StaffRoleGrantForm(request.POST)
    if form.is_valid():
        try:
            staff_role_grant(
                actor=request.user,
                user=person,
                role=form.cleaned_data["role"],
                company=form.cleaned_data["company"],
                request=request,
            )
            messages.success(request, _("The role was granted."))
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Choose a role and a company."))
    return redirect("organisations_admin:person_detail", person_id=person.uuid)


@require_POST
def person_role_revoke(request, role_id):
    staff_role = get_object_for_user(StaffRole.objects.select_related("user", "company"), request.user, role_id)
    try:
        staff_role_revoke(actor=request.user, staff_role=staff_role, request=request)
    except PermissionDenied:
        return _forbidden(request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The role was revoked."))
    return redirect("organisations_admin:person_detail", person_id=staff_role.user.uuid)
