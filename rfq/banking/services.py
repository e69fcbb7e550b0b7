"""Writes for bank details: a supplier administrator requests a change (after a fresh second factor), finance staff
approve or reject it. Only approval changes the account in force; each step is audited and reported to the ERP
through the outbox in the same transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.integration.outbox import emit
from portal.notifications.services import notify
from portal.onboarding.services import partner_admins
from portal.organisations.models import StaffRole, SupplierAccount

from . import notifications as kinds
from .access import FINANCE, may_decide_change, may_request_change
from .models import TRANSITIONS, BankAccountDetails, BankDetailsChange, ChangeStatus, SupplierBankAccount
from .reauth import second_factor_recently_used

TOPIC_CHANGE_REQUESTED = "bank_details.change_requested"
TOPIC_CHANGE_APPROVED = "bank_details.change_approved"

ALL_COMPANIES = gettext_lazy("all companies")


def _scope_label(company: Any) -> str:
    return company.name if company is not None else str(ALL_COMPANIES)


def _notification_params(change: BankDetailsChange, actor: Any, **extra: Any) -> dict[str, Any]:
    return {
        "partner": change.partner.name,
        "actor": actor.get_full_name() or actor.email,
        "scope": _scope_label(change.company),
        "last4": change.account_number[-4:],
        **extra,
    }


def _finance_staff(company: Any) -> list[Any]:
    """Who decides: finance of the company (or group-wide finance); group administrators when there is nobody."""
    roles = StaffRole.objects.filter(user__is_active=True).select_related("user").order_by("user_id")
    company_filter = {"company__isnull": True} if company is None else {"company__in": [company.pk]}
    deciders = [role.user for role in roles.filter(role=FINANCE, **company_filter)]
    if company is not None:
        deciders += [role.user for role in roles.filter(role=FINANCE, company__isnull=True)]
    return deciders or [role.user for role in roles.filter(role="group_admin", company__isnull=True)]


def _event_payload(change: BankDetailsChange, details: dict[str, str]) -> dict[str, Any]:
    accounts = SupplierAccount.objects.filter(partner_id=change.partner_id).select_related("company")
    if change.company is not None:
        accounts = accounts.filter(company=change.company)
    return {
        "change": change.uuid,
        "supplier": {
            "id": change.partner.uuid,
            "tax_id": change.partner.tax_id,
            "name": change.partner.name,
            # the vendor numbers of the companies the account is for, so each ERP finds its vendor
            "erp_numbers": {account.company.code: account.erp_number for account in accounts.order_by("company__code")},
        },
        # null: the supplier's default account for every company without one of its own
        "company": change.company.code if change.company is not None else None,
        "bank_account": details,
    }


def account_in_force(*, partner: Any, company: Any) -> SupplierBankAccount | None:
    """The account payments for this company go to: its own, else the supplier's default."""
    accounts = SupplierBankAccount.objects.filter(partner=partner, is_current=True).select_related("company")
    if company is None:
        return accounts.filter(company__isnull=True).first()
    own_first = F("company_id").asc(nulls_last=True)
    return accounts.filter(Q(company=company) | Q(company__isnull=True)).order_by(own_first).first()


def bank_details_change_request(
    *, actor: Any, partner: Any, company: Any, details: dict[str, str], request: Any
) -> BankDetailsChange:
    """Record a requested new bank account (pending); an older pending request for the same slot is withdrawn."""
    if not may_request_change(actor, partner):
        raise PermissionDenied
    # The view sends a stale session to re-authenticate; the service refuses too, so no caller can skip it.
    if not second_factor_recently_used(request):
        raise DomainError(_("Confirm with your second factor first: the change was not saved."))
    if not partner.is_supplier:
        raise DomainError(_("Only suppliers have bank details here."))
    if company is not None and not SupplierAccount.objects.filter(partner=partner, company=company).exists():
        raise DomainError(_("Your organisation supplies no such company."))
    unknown = set(details) - set(BankAccountDetails.DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"Unknown bank detail fields: {sorted(unknown)}")
    now = timezone.now()
    try:
        with transaction.atomic():
            older = list(
                BankDetailsChange.objects.select_for_update()
                .filter(partner=partner, company=company, status=ChangeStatus.PENDING)
                .order_by("pk")
            )
            for previous in older:
                BankDetailsChange.objects.filter(pk=previous.pk, status=ChangeStatus.PENDING).update(
                    status=ChangeStatus.WITHDRAWN,
                    decided_by=actor,
                    decided_at=now,
                    reason=str(gettext_lazy("Replaced by a newer request.")),
                )
                audit_record(
                    actor=actor,
                    action="bank_details.change_withdrawn",
                    obj=previous,
                    partner=partner,
                    company=company,
                    before={"status": ChangeStatus.PENDING},
                    after={"status": ChangeStatus.WITHDRAWN, "reason": "replaced by a newer request"},
                    request=request,
                )
            change = BankDetailsChange(
                partner=partner,
                company=company,
                requested_by=actor,
                requested_at=now,
                status=ChangeStatus.PENDING,
                **details,
            )
            try:
                # the one-pending-change rule is the database's (a race ends in IntegrityError below)
                change.full_clean(validate_constraints=False)
            except ValidationError as error:
                raise DomainError(" ".join(error.messages)) from error
            change.save()
            current = account_in_force(partner=partner, company=company)
            audit_record(
                actor=actor,
                action="bank_details.change_requested",
                obj=change,
                partner=partner,
                company=company,
                before=current.masked_details() if current else {},
                after=change.masked_details(),
                request=request,
            )
            emit(TOPIC_CHANGE_REQUESTED, _event_payload(change, change.masked_details()), company=company, obj=change)
            params = _notification_params(change, actor)
            notify(
                recipients=partner_admins(partner),
                kind=kinds.CHANGE_REQUESTED,
                params=params,
                url=reverse("banking_index"),
                partner=partner,
                company=company,
            )
            notify(
                recipients=_finance_staff(company),
                kind=kinds.CHANGE_AWAITING_APPROVAL,
                params=params,
                url=reverse("banking_admin:change_detail", kwargs={"change_id": change.uuid}),
                company=company,
            )
    except IntegrityError as error:
        # another request for the same slot committed between our lock and insert
        raise DomainError(
            _("Another change was requested at the same moment. Reload the page and try again.")
        ) from error
    return change


def _lock_pending(change: BankDetailsChange, actor: Any) -> BankDetailsChange:
    locked = (
        BankDetailsChange.objects.select_for_update(of=("self",)).select_related("partner", "company").get(pk=change.pk)
    )
    if not may_decide_change(actor, locked):
        raise PermissionDenied
    # Staff are not partner members, so this cannot happen today; the guard keeps it so if that ever changes.
    if locked.requested_by_id == actor.pk:
        raise DomainError(_("You cannot decide a change you requested yourself."))
    if locked.status != ChangeStatus.PENDING:
        raise DomainError(_("This change was already decided (%(status)s).") % {"status": locked.get_status_display()})
    return locked


def _set_status(change: BankDetailsChange, new_status: str, **fields: Any) -> None:
    if new_status not in TRANSITIONS[change.status]:
        raise DomainError(_("This change cannot move to %(status)s.") % {"status": new_status})
    updated = BankDetailsChange.objects.filter(pk=change.pk, status=change.status).update(status=new_status, **fields)
    if updated != 1:
        raise DomainError(_("This change was decided by someone else meanwhile."))
    change.status = new_status
    for name, value in fields.items():
        setattr(change, name, value)


def bank_details_change_approve(*, actor: Any, change: BankDetailsChange, request: Any = None) -> BankDetailsChange:
    """Make the proposed account the current one (the old one stays as history) and send it in full to the ERP."""
    now = timezone.now()
    with transaction.atomic():
        change = _lock_pending(change, actor)
        old_accounts = list(
            SupplierBankAccount.objects.select_for_update()
            .filter(partner_id=change.partner_id, company=change.company, is_current=True)
            .order_by("pk")
        )
        SupplierBankAccount.objects.filter(pk__in=[account.pk for account in old_accounts]).update(is_current=False)
        account = SupplierBankAccount.objects.create(
            partner_id=change.partner_id,
            company=change.company,
            is_current=True,
            approved_by=actor,
            approved_at=now,
            **change.details(),
        )
        _set_status(change, ChangeStatus.APPROVED, decided_by=actor, decided_at=now, account=account)
        audit_record(
            actor=actor,
            action="bank_details.change_approved",
            obj=change,
            partner=change.partner,
            company=change.company,
            before=old_accounts[0].masked_details() if old_accounts else {},
            after=account.masked_details(),
            request=request,
        )
        # The ERP needs the full account to pay it; this event is the only place outside the approval page
        # where the number leaves unmasked.
        payload = {**_event_payload(change, account.details()), "approved_at": now, "account": account.uuid}
        emit(TOPIC_CHANGE_APPROVED, payload, company=change.company, obj=change)
        notify(
            recipients=partner_admins(change.partner),
            kind=kinds.CHANGE_APPROVED,
            params=_notification_params(change, actor),
            url=reverse("banking_index"),
            partner=change.partner,
            company=change.company,
        )
    return change


def bank_details_change_reject(
    *, actor: Any, change: BankDetailsChange, reason: str, request: Any = None
) -> BankDetailsChange:
    """Refuse the proposed account with a reason the supplier's administrators read; the current one stays."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason: the supplier reads it."))
    now = timezone.now()
    with transaction.atomic():
        change = _lock_pending(change, actor)
        _set_status(change, ChangeStatus.REJECTED, decided_by=actor, decided_at=now, reason=reason)
        audit_record(
            actor=actor,
            action="bank_details.change_rejected",
            obj=change,
            partner=change.partner,
            company=change.company,
            before={"status": ChangeStatus.PENDING},
            after={"status": ChangeStatus.REJECTED, "reason": reason},
            request=request,
        )
        notify(
            recipients=partner_admins(change.partner),
            kind=kinds.CHANGE_REJECTED,
            params=_notification_params(change, actor, reason=reason),
            url=reverse("banking_index"),
            partner=change.partner,
            company=change.company,
        )
    return change


def bank_details_change_withdraw(*, actor: Any, change: BankDetailsChange, request: Any = None) -> BankDetailsChange:
    """A supplier administrator withdraws a pending request (e.g. one none of them made); the others are told."""
    if not may_request_change(actor, change.partner):
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        change = (
            BankDetailsChange.objects.select_for_update(of=("self",))
            .select_related("partner", "company")
            .get(pk=change.pk)
        )
        if change.status != ChangeStatus.PENDING:
            raise DomainError(
                _("This change was already decided (%(status)s).") % {"status": change.get_status_display()}
            )
        _set_status(change, ChangeStatus.WITHDRAWN, decided_by=actor, decided_at=now, reason="")
        audit_record(
            actor=actor,
            action="bank_details.change_withdrawn",
            obj=change,
            partner=change.partner,
            company=change.company,
            before={"status": ChangeStatus.PENDING},
            after={"status": ChangeStatus.WITHDRAWN},
            request=request,
        )
        notify(
            recipients=[admin for admin in partner_admins(change.partner) if admin.pk != actor.pk],
            kind=kinds.CHANGE_WITHDRAWN,
            params=_notification_params(change, actor),
            url=reverse("banking_index"),
            partner=change.partner,
            company=change.company,
        )
    return change
