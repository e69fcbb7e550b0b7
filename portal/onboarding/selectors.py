"""Reads for onboarding, always given the actor."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from portal.organisations.access import get_object_for_user, scope_of
from portal.organisations.models import Partner, PartnerRole

from .models import JoinRequest, JoinRequestStatus, Registration, RegistrationStatus


def pending_registrations(actor: Any) -> QuerySet[Registration]:
    return (
        Registration.objects.visible_to(actor)
        .filter(status=RegistrationStatus.PENDING)
        .select_related("partner", "applicant")
        .order_by("created_at", "id")
    )


def get_registration_for_user(actor: Any, registration_id: Any) -> Registration:
    return get_object_for_user(
        Registration.objects.select_related("partner", "applicant", "licence", "decided_by"), actor, registration_id
    )


def get_join_request_for_user(actor: Any, join_request_id: Any) -> JoinRequest:
    return get_object_for_user(
        JoinRequest.objects.select_related("partner", "user", "decided_by"), actor, join_request_id
    )


def pending_join_requests_of_partner(partner: Partner) -> QuerySet[JoinRequest]:
    return (
        JoinRequest.objects.filter(partner=partner, status=JoinRequestStatus.PENDING)
        .select_related("user")
        .order_by("created_at", "id")
    )


def pending_join_requests(actor: Any) -> QuerySet[JoinRequest]:
    return (
        JoinRequest.objects.visible_to(actor)
        .filter(status=JoinRequestStatus.PENDING)
        .select_related("partner", "user")
        .order_by("created_at", "id")
    )


def partners_with_admin(partner_ids: list[int]) -> set[int]:
    from portal.organisations.models import Membership

    return {
        partner_id
        for partner_id, roles in Membership.objects.filter(
            partner_id__in=partner_ids, is_active=True, user__is_active=True
        ).values_list("partner_id", "roles")
        if PartnerRole.ADMIN in roles
    }


def invitable_customers(actor: Any) -> QuerySet[Partner]:
    """Customer partners the staff member sees (their companies' customers; all for group-wide staff)."""
    return Partner.objects.visible_to(actor).filter(is_customer=True).order_by("name")


def own_onboarding(user: Any) -> tuple[list[Registration], list[JoinRequest]]:
    """The person's own registrations and join requests, for their status page."""
    if not getattr(user, "is_authenticated", False):
        return [], []
    registrations = list(Registration.objects.filter(applicant=user).select_related("partner"))
    join_requests = list(JoinRequest.objects.filter(user=user).select_related("partner"))
    return registrations, join_requests


def is_group_admin(actor: Any) -> bool:
    return scope_of(actor).is_group_admin
