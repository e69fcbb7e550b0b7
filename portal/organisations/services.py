"""Changes to partners, memberships and staff roles. Each service checks the actor's right, locks what it
changes, and writes the audit event (and, where the ERP cares, the outbox event) in its transaction."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.services import user_end_sessions
from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.integration.outbox import emit

from .access import forget_scope, scope_of
from .models import (
    PARTNER_TRANSITIONS,
    Company,
    Membership,
    Partner,
    PartnerRole,
    PartnerStatus,
    StaffRole,
    StaffRoleName,
)


def _require_group_admin(actor: Any) -> None:
    if not scope_of(actor).is_group_admin:
        raise PermissionDenied


def _require_partner_admin(actor: Any, partner_id: int) -> None:
    if not scope_of(actor).has_partner_role(partner_id, PartnerRole.ADMIN):
        raise PermissionDenied


def _active_admins(partner_id: int, *, excluding: int | None = None) -> int:
    memberships = Membership.objects.filter(partner_id=partner_id, is_active=True).exclude(pk=excluding)
    return sum(1 for roles in memberships.values_list("roles", flat=True) if PartnerRole.ADMIN in roles)


def partner_set_status(*, actor: Any, partner: Partner, status: str, reason: str = "", request: Any = None) -> Partner:
    """Approve, block or unblock a partner (group administrators only)."""
    _require_group_admin(actor)
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        if status not in PARTNER_TRANSITIONS.get(locked.status, set()):
            raise DomainError(
                _("A partner that is %(current)s cannot become %(new)s.")
                % {"current": locked.get_status_display(), "new": PartnerStatus(status).label}
            )
        before = locked.status
        locked.status = status
        locked.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="partner.status_changed",
            obj=locked,
            partner=locked,
            before={"status": before},
            after={"status": status, "reason": reason},
            request=request,
        )
        emit(
            "partner.status_changed",
            {"partner": locked.uuid, "tax_id": locked.tax_id, "status": status, "previous_status": before},
            obj=locked,
        )
    return locked


def membership_set_roles(*, actor: Any, membership: Membership, roles: list[str], request: Any = None) -> Membership:
    """A partner administrator changes a colleague's roles; the partner always keeps one administrator."""
    _require_partner_admin(actor, membership.partner_id)
    unknown = set(roles) - set(PartnerRole.values)
    if unknown:
        raise DomainError(_("Unknown role: %(roles)s.") % {"roles": ", ".join(sorted(unknown))})
    clean_roles = [role for role in PartnerRole.values if role in roles]
    with transaction.atomic():
        # Lock the whole team in pk order: two admins demoting each other at once must not both succeed.
        list(Membership.objects.filter(partner_id=membership.partner_id).order_by("pk").select_for_update())
        locked = Membership.objects.get(pk=membership.pk)
        if (
            PartnerRole.ADMIN not in clean_roles
            and locked.is_active
            and _active_admins(locked.partner_id, excluding=locked.pk) == 0
        ):
            raise DomainError(_("The partner needs at least one active administrator."))
        before = list(locked.roles)
        locked.roles = clean_roles
        locked.save(update_fields=["roles"])
        audit_record(
            actor=actor,
            action="membership.roles_changed",
            obj=locked,
            partner=locked.partner,
            before={"roles": before, "user": locked.user.email},
            after={"roles": clean_roles, "user": locked.user.email},
            request=request,
        )
    forget_scope(actor)
    return locked


def membership_set_active(*, actor: Any, membership: Membership, is_active: bool, request: Any = None) -> Membership:
    """Deactivate a colleague's membership (access ends at their next request), or restore it."""
    _require_partner_admin(actor, membership.partner_id)
    with transaction.atomic():
        list(Membership.objects.filter(partner_id=membership.partner_id).order_by("pk").select_for_update())
        locked = Membership.objects.get(pk=membership.pk)
        if locked.is_active == is_active:
            return locked
        if (
            not is_active
            and PartnerRole.ADMIN in locked.roles
            and _active_admins(locked.partner_id, excluding=locked.pk) == 0
        ):
            raise DomainError(_("The partner needs at least one active administrator."))
        locked.is_active = is_active
        locked.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="membership.activated" if is_active else "membership.deactivated",
            obj=locked,
            partner=locked.partner,
            after={"user": locked.user.email},
            request=request,
        )
    forget_scope(actor)
    return locked


def staff_role_grant(*, actor: Any, user: Any, role: str, company: Company | None, request: Any = None) -> StaffRole:
    """Give an employee a role in one company, or group-wide when company is None (group admins only)."""
    _require_group_admin(actor)
    if role not in StaffRoleName.values:
        raise DomainError(_("Unknown role: %(roles)s.") % {"roles": role})
    with transaction.atomic():
        staff_role, created = StaffRole.objects.get_or_create(user=user, company=company, role=role)
        if created:
            audit_record(
                actor=actor,
                action="staff_role.granted",
                obj=user,
                company=company,
                after={"role": role, "company": company.code if company else None},
                request=request,
            )
    forget_scope(user)
    return staff_role


def staff_role_revoke(*, actor: Any, staff_role: StaffRole, request: Any = None) -> None:
    _require_group_admin(actor)
    with transaction.atomic():
        group_admins = list(
            StaffRole.objects.filter(role=StaffRoleName.GROUP_ADMIN, company=None).order_by("pk").select_for_update()
        )
        if (
            staff_role.role == StaffRoleName.GROUP_ADMIN
            and staff_role.company_id is None
            and [role.pk for role in group_admins] == [staff_role.pk]
        ):
            raise DomainError(_("The group needs at least one group administrator."))
        deleted, _rows = StaffRole.objects.filter(pk=staff_role.pk).delete()
        if deleted:
            audit_record(
                actor=actor,
                action="staff_role.revoked",
                obj=staff_role.user,
                company=staff_role.company,
                before={
                    "role": staff_role.role,
                    "company": staff_role.company.code if staff_role.company_id else None,
                },
                request=request,
            )
    forget_scope(staff_role.user)


def user_reset_mfa(*, actor: Any, user: Any, request: Any = None) -> int:
    """Remove a person's authenticators (lost phone); they must enrol again at their next login."""
    _require_group_admin(actor)
    if actor.pk == user.pk:
        raise DomainError(_("Ask another group administrator to reset your own two-factor authentication."))
    with transaction.atomic():
        authenticators = Authenticator.objects.filter(user=user)
        kinds = sorted(authenticators.values_list("type", flat=True))
        removed, _rows = authenticators.delete()
        transaction.on_commit(lambda: user_end_sessions(user=user))
        audit_record(
            actor=actor,
            action="user.mfa_reset",
            obj=user,
            before={"authenticators": kinds},
            after={"authenticators": []},
            request=request,
        )
    return removed
