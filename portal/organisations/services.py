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
from portal.notifications.services import notify

from .access import forget_scope, scope_of
from .models import (
    PARTNER_TRANSITIONS,
    Company,
    CustomerAccount,
    Membership,
    Partner,
    PartnerRole,
    PartnerStatus,
    StaffRole,
    StaffRoleName,
    SupplierAccount,
)
from .payloads import partner_payload

# Staff roles that look after a partner's people, per side of the trade: purchasing for suppliers, sales for
# customers (in a company that has an account with the partner).
SUPPLIER_SIDE_TEAM_ROLES = (StaffRoleName.BUYER, StaffRoleName.SOURCING_MANAGER)
CUSTOMER_SIDE_TEAM_ROLES = (StaffRoleName.SALES, StaffRoleName.SALES_MANAGER)


def _require_group_admin(actor: Any) -> None:
    if not scope_of(actor).is_group_admin:
        raise PermissionDenied


def may_manage_team(actor: Any, partner: Partner) -> bool:
    """Who may invite, change roles and deactivate in a partner: its administrators, group administrators, and
    staff of a company trading with it whose role looks after that side (buyers and sourcing managers for a
    supplier, sales and sales managers for a customer)."""
    scope = scope_of(actor)
    if scope.has_partner_role(partner.pk, PartnerRole.ADMIN) or scope.is_group_admin:
        return True
    if not scope.is_staff:
        return False
    supplier_companies = SupplierAccount.objects.filter(partner_id=partner.pk).values_list("company_id", flat=True)
    customer_companies = CustomerAccount.objects.filter(partner_id=partner.pk).values_list("company_id", flat=True)
    return any(
        scope.has_staff_role(role, company_id) for company_id in supplier_companies for role in SUPPLIER_SIDE_TEAM_ROLES
    ) or any(
        scope.has_staff_role(role, company_id) for company_id in customer_companies for role in CUSTOMER_SIDE_TEAM_ROLES
    )


def require_team_manager(actor: Any, partner: Partner) -> None:
    if not may_manage_team(actor, partner):
        raise PermissionDenied


def _tell_about_team_change(*, actor: Any, membership: Membership, kind: str, staff_kind: str) -> None:
    """The colleague hears about their own change; when staff of the group made it, the partner's administrators
    hear too (they answer for their team)."""
    partner = membership.partner
    params = {"partner": partner.name, "actor": str(actor), "person": str(membership.user)}
    notify(recipients=[membership.user], kind=kind, params=params, url="/account/", partner=partner)
    if not scope_of(actor).has_partner_role(partner.pk, PartnerRole.ADMIN):
        admins = [
            admin.user
            for admin in Membership.objects.filter(partner_id=partner.pk, is_active=True).select_related("user")
            if PartnerRole.ADMIN in admin.roles and admin.user_id not in (actor.pk, membership.user_id)
        ]
        notify(recipients=admins, kind=staff_kind, params=params, url="/account/team/", partner=partner)


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
        # partner.approved / partner.blocked, with the whole partner so the ERP need not ask back.
        emit(f"partner.{status}", partner_payload(locked) | {"previous_status": before}, obj=locked)
    return locked


def membership_set_roles(*, actor: Any, membership: Membership, roles: list[str], request: Any = None) -> Membership:
    """A partner administrator (or staff who look after the partner) changes a colleague's roles; the partner
    always keeps one active administrator."""
    require_team_manager(actor, membership.partner)
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
        if before == clean_roles:
            return locked
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
        _tell_about_team_change(
            actor=actor, membership=locked, kind="team.roles_changed", staff_kind="team.roles_changed_by_staff"
        )
    forget_scope(actor)
    return locked


def membership_set_active(*, actor: Any, membership: Membership, is_active: bool, request: Any = None) -> Membership:
    """Deactivate a colleague's membership, which also logs them out of every session at once; or restore it."""
    require_team_manager(actor, membership.partner)
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
        if is_active:
            _tell_about_team_change(
                actor=actor, membership=locked, kind="team.reactivated", staff_kind="team.reactivated_by_staff"
            )
        else:
            _tell_about_team_change(
                actor=actor, membership=locked, kind="team.deactivated", staff_kind="team.deactivated_by_staff"
            )
            # Their open sessions end when the change is committed (not before: a rollback keeps them).
            user = locked.user
            transaction.on_commit(lambda: user_end_sessions(user=user))
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
