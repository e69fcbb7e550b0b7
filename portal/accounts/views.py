"""The person's own space at /account/: profile and preferences, partner switch, the partner's team."""

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.users.models import UserProfile

from portal.core.errors import DomainError
from portal.core.panels import panels_for
from portal.core.scoped_views import require_membership
from portal.onboarding.models import Invitation
from portal.organisations.access import get_object_for_user, scope_of
from portal.organisations.forms import MembershipRolesForm, TeamInvitationForm
from portal.organisations.middleware import ACTIVE_PARTNER_SESSION_KEY
from portal.organisations.models import Membership, PartnerRole, StaffRole
from portal.organisations.selectors import memberships_of, team_of
from portal.organisations.services import membership_set_active, membership_set_roles

from .forms import PreferencesForm
from .selectors import sessions_of
from .services import user_end_other_sessions, user_update_preferences
from .team_services import invitation_revoke, pending_invitations, team_member_invite


@login_required
def account_home(request):
    user = request.user
    profile = UserProfile.objects.filter(user=user).first()
    return render(
        request,
        "accounts/home.html",
        {
            "profile": profile,
            "memberships": memberships_of(user),
            "staff_roles": StaffRole.objects.filter(user=user).select_related("company"),
            "second_factors": Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.RECOVERY_CODES),
            "is_partner_admin": bool(request.membership) and request.membership.has_role(PartnerRole.ADMIN),
            "panels": panels_for(request),
            "sessions": sessions_of(user, current_session_key=request.session.session_key),
        },
    )


@login_required
@require_POST
def sign_out_other_sessions(request):
    ended = user_end_other_sessions(user=request.user, request=request)
    messages.success(request, _("Other sessions signed out: %(count)s.") % {"count": ended})
    return redirect("account_home")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    user = request.user
    profile = UserProfile.objects.filter(user=user).first()
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "language": (profile and profile.preferred_language) or request.LANGUAGE_CODE,
        "time_zone": (profile and profile.current_time_zone) or "Asia/Shanghai",
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        user_update_preferences(user=user, request=request, **form.cleaned_data)
        response = redirect("account_home")
        messages.success(request, _("Your preferences were saved."))
        return response
    return render(request, "accounts/preferences.html", {"form": form})


@login_required
@require_POST
def switch_partner(request, partner_id):
    """Act for another of one's own partners. Someone else's partner is 404, like everything not theirs."""
    membership = next((m for m in memberships_of(request.user) if m.partner.uuid == partner_id), None)
    if membership is None:
        raise Http404
    request.session[ACTIVE_PARTNER_SESSION_KEY] = str(membership.partner.uuid)
    messages.info(request, _("You are now working for %(partner)s.") % {"partner": membership.partner.name})
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/account/"
    return redirect(next_url)


def _team_page(request, membership, invitation_form=None):
    is_admin = membership.has_role(PartnerRole.ADMIN)
    return render(
        request,
        "accounts/team.html",
        {
            "partner": membership.partner,
            "team": team_of(membership),
            "is_partner_admin": is_admin,
            "invitations": pending_invitations(membership.partner) if is_admin else [],
            "invitation_form": (invitation_form or TeamInvitationForm()) if is_admin else None,
        },
    )


@login_required
def team(request):
    return _team_page(request, require_membership(request))


@login_required
@require_POST
def team_invite(request):
    """A partner administrator invites a colleague by e-mail, with roles."""
    membership = require_membership(request)
    if not membership.has_role(PartnerRole.ADMIN):
        raise PermissionDenied
    form = TeamInvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = team_member_invite(
                actor=request.user,
                partner=membership.partner,
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
                request=request,
            )
        except DomainError as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, _("An invitation was sent to %(email)s.") % {"email": invitation.email})
            return redirect("account_team")
    return _team_page(request, membership, invitation_form=form)


@login_required
@require_POST
def team_invitation_revoke(request, invitation_id):
    invitation = get_object_for_user(Invitation.objects.select_related("partner"), request.user, invitation_id)
    invitation_revoke(actor=request.user, invitation=invitation, request=request)
    messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("account_team")


@login_required
@require_http_methods(["GET", "POST"])
def team_member(request, membership_id):
    """A colleague's roles. Everyone in the partner may look; only its administrators may change."""
    scope = scope_of(request.user)
    colleagues = Membership.objects.filter(partner_id__in=scope.partner_ids).select_related("user", "partner")
    member = get_object_for_user(colleagues, request.user, membership_id)
    is_admin = scope.has_partner_role(member.partner_id, PartnerRole.ADMIN)
    form = MembershipRolesForm(request.POST or None, initial={"roles": member.roles})
    if request.method == "POST":
        if not is_admin:
            raise PermissionDenied
        try:
            action = request.POST.get("action", "roles")
            if action in ("deactivate", "reactivate"):
                membership_set_active(
                    actor=request.user, membership=member, is_active=action == "reactivate", request=request
                )
                messages.success(request, _("Access updated for %(person)s.") % {"person": member.user})
                return redirect("account_team")
            if form.is_valid():
                membership_set_roles(
                    actor=request.user, membership=member, roles=form.cleaned_data["roles"], request=request
                )
                messages.success(request, _("Roles updated for %(person)s.") % {"person": member.user})
                return redirect("account_team")
        except DomainError as error:
            messages.error(request, error.message)
            member.refresh_from_db()
    return render(request, "accounts/team_member.html", {"member": member, "form": form, "is_partner_admin": is_admin})
