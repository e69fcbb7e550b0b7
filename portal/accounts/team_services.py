"""A partner's team through onboarding's invitations: invite a colleague, revoke an invitation not yet accepted.
(Roles and access of members are portal.organisations.services.membership_set_roles / membership_set_active.)"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from portal.audit.services import audit_record
from portal.notifications.services import notify
from portal.onboarding.models import Invitation
from portal.onboarding.services import invitation_create
from portal.organisations.models import Membership, Partner, PartnerRole
from portal.organisations.services import require_team_manager


def _other_admins(partner: Partner, *, actor: Any) -> list[Any]:
    return [
        membership.user
        for membership in Membership.objects.filter(partner_id=partner.pk, is_active=True).select_related("user")
        if PartnerRole.ADMIN in membership.roles and membership.user_id != actor.pk
    ]


def pending_invitations(partner: Partner) -> QuerySet[Invitation]:
    """Invitations of the partner that can still be accepted, the newest first."""
    return (
        Invitation.objects.filter(partner=partner, accepted_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


def team_member_invite(
    *, actor: Any, partner: Partner, email: str, roles: list[str], request: Any = None
) -> Invitation:
    """Invite a colleague by e-mail with roles; the partner's other administrators are told."""
    require_team_manager(actor, partner)
    with transaction.atomic():
        invitation = invitation_create(actor=actor, partner=partner, email=email, roles=roles, request=request)
        notify(
            recipients=_other_admins(partner, actor=actor),
            kind="team.member_invited",
            params={"partner": partner.name, "actor": str(actor), "email": invitation.email},
            url="/account/team/",
            partner=partner,
        )
    return invitation


def invitation_revoke(*, actor: Any, invitation: Invitation, request: Any = None) -> Invitation:
    """Withdraw an invitation that was not accepted: its link stops working at once (it expires now)."""
    require_team_manager(actor, invitation.partner)
    with transaction.atomic():
        revoked = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, expires_at__gt=timezone.now()
        ).update(expires_at=timezone.now())
        if revoked:
            audit_record(
                actor=actor,
                action="invitation.revoked",
                obj=invitation,
                partner=invitation.partner,
                before={"email": invitation.email, "roles": invitation.roles},
                request=request,
            )
    invitation.refresh_from_db(fields=["expires_at"])
    return invitation
