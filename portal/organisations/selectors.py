"""Reads about organisations and people, always given the actor."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .access import get_object_for_user, scope_of
from .models import Company, Membership, Partner, PartnerStatus


def memberships_of(user: Any) -> QuerySet[Membership]:
    """The user's own usable memberships, for the partner switcher."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user, is_active=True)
        .exclude(partner__status=PartnerStatus.BLOCKED)
        .select_related("partner")
        .order_by("partner__name")
    )


def active_membership(user: Any, partner_uuid: str | None) -> Membership | None:
    """The membership the user acts through: the one chosen in the session, else the first."""
    memberships = list(memberships_of(user))
    for membership in memberships:
        if str(membership.partner.uuid) == partner_uuid:
            return membership
    return memberships[0] if memberships else None


def get_partner_for_user(user: Any, partner_uuid: Any) -> Partner:
    return get_object_for_user(Partner, user, partner_uuid)


def get_company_for_user(user: Any, company_uuid: Any) -> Company:
    return get_object_for_user(Company, user, company_uuid)


def get_membership_for_user(user: Any, membership_uuid: Any) -> Membership:
    return get_object_for_user(Membership.objects.select_related("user", "partner"), user, membership_uuid)


def team_of(membership: Membership) -> QuerySet[Membership]:
    """The colleagues in the membership's partner, the active ones first."""
    return (
        Membership.objects.filter(partner_id=membership.partner_id)
        .select_related("user")
        .order_by("-is_active", "user__email")
    )


def staff_companies(user: Any) -> QuerySet[Company]:
    scope = scope_of(user)
    if scope.is_group:
        return Company.objects.all()
    return Company.objects.filter(pk__in=scope.company_ids)
