"""Changes in onboarding: registrations, join requests and invitations. Each service checks the actor's right,
owns its transaction, audits, and notifies the people concerned (e-mails go out after the commit)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from allauth.account.internal.flows.email_verification import send_verification_email_to_address
from allauth.account.models import EmailAddress
from allauth.core.context import request_context
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.users.models import UserProfile

from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.documents.services import document_store
from portal.integration.outbox import emit
from portal.notifications.emails import recipient_language
from portal.notifications.services import notify
from portal.organisations.access import forget_scope, scope_of
from portal.organisations.models import (
    Membership,
    Partner,
    PartnerRole,
    PartnerStatus,
    StaffRole,
    StaffRoleName,
)
from portal.organisations.services import may_manage_team, partner_set_status

from .models import (
    JOIN_REQUEST_TRANSITIONS,
    REGISTRATION_TRANSITIONS,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    Registration,
    RegistrationKind,
    RegistrationStatus,
)

APPLICANT_ROLES = [PartnerRole.ADMIN.value, PartnerRole.SALES.value, PartnerRole.FINANCE.value]
INVITATION_LIFETIME = timedelta(days=7)
LICENCE_KIND = "business_licence"


# ---------------------------------------------------------------------------------------------------------- helpers


def group_admins() -> list[Any]:
    return [
        role.user
        for role in StaffRole.objects.filter(role=StaffRoleName.GROUP_ADMIN, company=None, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    ]


def partner_admins(partner: Partner) -> list[Any]:
    memberships = (
        Membership.objects.filter(partner=partner, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    return [membership.user for membership in memberships if PartnerRole.ADMIN in membership.roles]


def clean_roles(roles: list[str]) -> list[str]:
    unknown = set(roles) - set(PartnerRole.values)
    if unknown:
        raise DomainError(_("Unknown role: %(roles)s.") % {"roles": ", ".join(sorted(unknown))})
    cleaned = [role for role in PartnerRole.values if role in roles]
    if not cleaned:
        raise DomainError(_("Choose at least one role."))
    return cleaned


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _membership_grant(*, user: Any, partner: Partner, roles: list[str]) -> Membership:
    """Make the user a member with (at least) these roles; an inactive membership comes back."""
    membership, created = Membership.objects.select_for_update().get_or_create(
        user=user, partner=partner, defaults={"roles": roles}
    )
    if not created:
        membership.roles = [role for role in PartnerRole.values if role in set(membership.roles) | set(roles)]
        membership.is_active = True
        membership.save(update_fields=["roles", "is_active"])
    forget_scope(user)
    return membership


# ----------------------------------------------------------------------------------------------------- registration


@dataclass(frozen=True)
class SignupData:
    kind: str
    name: str
    name_en: str
    tax_id: str
    country: str
    address: str
    contact_name: str
    phone: str
    email: str
    password: str
    language: str


def _user_create(data: SignupData) -> Any:
    first_name, _sep, last_name = data.contact_name.strip().partition(" ")
    user = get_user_model().objects.create_user(
        email=data.email,
        password=data.password,
        first_name=first_name[:150],
        last_name=last_name[:150],
        phone=data.phone,
    )
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": data.language})
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    return user


def registration_submit(*, data: SignupData, licence: Any, request: Any = None) -> Registration | JoinRequest:
    """A company signs up. A new tax id makes a pending partner (the applicant its administrator) and a
    registration for the group administrators to decide; a known tax id makes a request to join that partner.
    Nothing is created when anything fails. The e-mail address is verified through allauth afterwards."""
    if data.kind not in RegistrationKind.values:
        raise DomainError(_("Unknown kind of registration."))
    stored: list[Any] = []
    try:
        with transaction.atomic():
            user = _user_create(data)
            existing = partner_with_tax_id(data.tax_id)
            if existing is not None:
                result: Registration | JoinRequest = _join_request_create(
                    user=user, partner=existing, data=data, request=request
                )
            else:
                try:
                    with transaction.atomic():
                        result = _registration_create(
                            user=user, data=data, licence=licence, request=request, stored=stored
                        )
                except IntegrityError:
                    # Someone registered the same tax id between our check and our insert: join that one.
                    existing = partner_with_tax_id(data.tax_id)
                    if existing is None:
                        raise
                    result = _join_request_create(user=user, partner=existing, data=data, request=request)
            address = EmailAddress.objects.get(user=user, email=user.email)
            if request is not None:
                transaction.on_commit(lambda: _verification_email_send(request, address))
    except BaseException as error:
        # The licence file was written before the rows; the rows are rolled back, so is the file.
        for document in stored:
            document.file.storage.delete(document.file.name)
        if isinstance(error, IntegrityError):
            # Only the e-mail address can still collide here (two sign-ups with it at once).
            raise DomainError(_("A user with this e-mail address already exists.")) from error
        raise
    return result


def _verification_email_send(request: Any, address: EmailAddress) -> None:
    # allauth reads the request from its context (set by its middleware, gone once the response is out).
    with request_context(request):
        send_verification_email_to_address(request, address, signup=True)


def partner_with_tax_id(tax_id: str) -> Partner | None:
    return Partner.objects.filter(tax_id=tax_id).first()


def _registration_create(
    *, user: Any, data: SignupData, licence: Any, request: Any, stored: list[Any] | None = None
) -> Registration:
    partner = Partner.objects.create(
        name=data.name,
        name_en=data.name_en,
        tax_id=data.tax_id,
        country=data.country,
        address=data.address,
        is_supplier=data.kind == RegistrationKind.SUPPLIER,
        is_customer=data.kind == RegistrationKind.CUSTOMER,
        status=PartnerStatus.PENDING,
    )
    Membership.objects.create(user=user, partner=partner, roles=list(APPLICANT_ROLES))
    registration = Registration.objects.create(
        kind=data.kind, applicant=user, partner=partner, contact_name=data.contact_name, phone=data.phone
    )
    if licence is not None:
        registration.licence = document_store(
            actor=user,
            uploaded_file=licence,
            kind=LICENCE_KIND,
            owner_partner=partner,
            obj=registration,
            request=request,
        )
        if stored is not None:
            stored.append(registration.licence)
        registration.save(update_fields=["licence"])
    audit_record(
        actor=user,
        action="registration.submitted",
        obj=registration,
        partner=partner,
        after={"kind": data.kind, "tax_id": partner.tax_id, "name": partner.name, "email": user.email},
        request=request,
    )
    emit(
        "partner.registered",
        {
            "partner": partner.uuid,
            "tax_id": partner.tax_id,
            "name": partner.name,
            "name_en": partner.name_en,
            "country": partner.country,
            "is_supplier": partner.is_supplier,
            "is_customer": partner.is_customer,
            "status": partner.status,
        },
        obj=partner,
    )
    notify(
        recipients=group_admins(),
        kind="onboarding.registration_submitted",
        params={"partner": partner.name, "tax_id": partner.tax_id, "kind": registration.get_kind_display()},
        url=reverse("onboarding_admin:registration_detail", kwargs={"registration_id": registration.uuid}),
        partner=partner,
    )
    return registration


def _join_request_create(*, user: Any, partner: Partner, data: SignupData | None, request: Any) -> JoinRequest:
    join_request = JoinRequest.objects.create(
        user=user,
        partner=partner,
        contact_name=data.contact_name if data else "",
        phone=data.phone if data else "",
    )
    audit_record(
        actor=user,
        action="join_request.created",
        obj=join_request,
        partner=partner,
        after={"email": user.email, "tax_id": partner.tax_id},
        request=request,
    )
    admins = partner_admins(partner)
    url = reverse("onboarding_join_request", kwargs={"join_request_id": join_request.uuid})
    if not admins:
        admins = group_admins()
        url = reverse("onboarding_admin:join_request_detail", kwargs={"join_request_id": join_request.uuid})
    notify(
        recipients=admins,
        kind="onboarding.join_requested",
        params={"person": user.email, "partner": partner.name},
        url=url,
        partner=partner,
    )
    return join_request


def _decide(*, model: type, obj: Any, transitions: dict, status: str) -> Any:
    locked = model.objects.select_for_update().get(pk=obj.pk)
    if status not in transitions.get(locked.status, set()):
        raise DomainError(_("This request was already decided."))
    return locked


def registration_approve(*, actor: Any, registration: Registration, request: Any = None) -> Registration:
    """A group administrator approves: the partner becomes approved (partner_set_status emits its event)."""
    if not scope_of(actor).is_group_admin:
        raise PermissionDenied
    with transaction.atomic():
        locked = _decide(
            model=Registration,
            obj=registration,
            transitions=REGISTRATION_TRANSITIONS,
            status=RegistrationStatus.APPROVED,
        )
        partner_set_status(actor=actor, partner=locked.partner, status=PartnerStatus.APPROVED, request=request)
        locked.status = RegistrationStatus.APPROVED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action="registration.approved",
            obj=locked,
            partner=locked.partner,
            before={"status": RegistrationStatus.PENDING},
            after={"status": RegistrationStatus.APPROVED},
            request=request,
        )
        notify(
            recipients=[locked.applicant],
            kind="onboarding.registration_approved",
            params={"partner": locked.partner.name},
            url=reverse("account_home"),
            partner=locked.partner,
        )
    return locked


def registration_reject(*, actor: Any, registration: Registration, reason: str, request: Any = None) -> Registration:
    """A group administrator rejects with a reason: the partner is blocked, the applicant told why."""
    if not scope_of(actor).is_group_admin:
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the rejection; the applicant reads it."))
    with transaction.atomic():
        locked = _decide(
            model=Registration,
            obj=registration,
            transitions=REGISTRATION_TRANSITIONS,
            status=RegistrationStatus.REJECTED,
        )
        partner_set_status(
            actor=actor, partner=locked.partner, status=PartnerStatus.BLOCKED, reason=reason, request=request
        )
        locked.status = RegistrationStatus.REJECTED
        locked.reason = reason
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action="registration.rejected",
            obj=locked,
            partner=locked.partner,
            before={"status": RegistrationStatus.PENDING},
            after={"status": RegistrationStatus.REJECTED, "reason": reason},
            request=request,
        )
        notify(
            recipients=[locked.applicant],
            kind="onboarding.registration_rejected",
            params={"partner": locked.partner.name, "reason": reason},
            partner=locked.partner,
        )
    return locked


# ---------------------------------------------------------------------------------------------------- join requests


def can_decide_join_request(actor: Any, join_request: JoinRequest) -> bool:
    """The partner's administrators decide; group administrators too (they stand in where there is none)."""
    scope = scope_of(actor)
    return scope.has_partner_role(join_request.partner_id, PartnerRole.ADMIN) or scope.is_group_admin


def join_request_accept(*, actor: Any, join_request: JoinRequest, roles: list[str], request: Any = None) -> JoinRequest:
    if not can_decide_join_request(actor, join_request):
        raise PermissionDenied
    roles = clean_roles(roles)
    with transaction.atomic():
        locked = _decide(
            model=JoinRequest, obj=join_request, transitions=JOIN_REQUEST_TRANSITIONS, status=JoinRequestStatus.ACCEPTED
        )
        _membership_grant(user=locked.user, partner=locked.partner, roles=roles)
        locked.status = JoinRequestStatus.ACCEPTED
        locked.roles = roles
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "roles", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action="join_request.accepted",
            obj=locked,
            partner=locked.partner,
            after={"user": locked.user.email, "roles": roles},
            request=request,
        )
        notify(
            recipients=[locked.user],
            kind="onboarding.join_accepted",
            params={"partner": locked.partner.name},
            url=reverse("account_home"),
            partner=locked.partner,
        )
    return locked


def join_request_decline(*, actor: Any, join_request: JoinRequest, reason: str, request: Any = None) -> JoinRequest:
    if not can_decide_join_request(actor, join_request):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason; the applicant reads it."))
    with transaction.atomic():
        locked = _decide(
            model=JoinRequest, obj=join_request, transitions=JOIN_REQUEST_TRANSITIONS, status=JoinRequestStatus.DECLINED
        )
        locked.status = JoinRequestStatus.DECLINED
        locked.reason = reason
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action="join_request.declined",
            obj=locked,
            partner=locked.partner,
            after={"user": locked.user.email, "reason": reason},
            request=request,
        )
        notify(
            recipients=[locked.user],
            kind="onboarding.join_declined",
            params={"partner": locked.partner.name, "reason": reason},
            partner=locked.partner,
        )
    return locked


# ------------------------------------------------------------------------------------------------------ invitations


def can_invite(actor: Any, partner: Partner) -> bool:
    """Whoever may manage the partner's team may invite to it (see organisations.services.may_manage_team)."""
    return may_manage_team(actor, partner)


def invitation_create(*, actor: Any, partner: Partner, email: str, roles: list[str], request: Any = None) -> Invitation:
    """Invite an e-mail address to become a member of the partner with these roles. The e-mail (in the invitee's
    language if they have an account, else in the inviter's) carries a one-time link valid for 7 days."""
    if not can_invite(actor, partner):
        raise PermissionDenied
    roles = clean_roles(roles)
    email = get_user_model().objects.normalize_email((email or "").strip()).lower()
    if not email:
        raise DomainError(_("Enter an e-mail address."))
    if Membership.objects.filter(partner=partner, user__email__iexact=email, is_active=True).exists():
        raise DomainError(
            _("%(email)s is already a member of %(partner)s.") % {"email": email, "partner": partner.name}
        )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            partner=partner,
            email=email,
            roles=roles,
            invited_by=actor,
            token_hash=_hash_token(token),
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        audit_record(
            actor=actor,
            action="invitation.created",
            obj=invitation,
            partner=partner,
            after={"email": email, "roles": roles},
            request=request,
        )
        existing_user = get_user_model().objects.filter(email__iexact=email).first()
        language = recipient_language(existing_user) if existing_user else translation.get_language()
        # The token goes into the e-mail only: never into a task argument, a log or the audit trail.
        transaction.on_commit(
            lambda: _invitation_email_send(invitation=invitation, token=token, language=language, inviter=actor)
        )
    return invitation


def invitation_url(token: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("onboarding_invitation", kwargs={"token": token})


def _invitation_email_send(*, invitation: Invitation, token: str, language: str, inviter: Any) -> None:
    with translation.override(language):
        context = {
            "invitation": invitation,
            "partner": invitation.partner,
            "inviter": inviter,
            "url": invitation_url(token),
            "expires_at": invitation.expires_at,
        }
        subject = _("You are invited to %(partner)s on the Group Portal") % {"partner": invitation.partner.name}
        body = render_to_string("onboarding/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])


def invitation_for_token(token: str) -> Invitation | None:
    """The open invitation for this token, or None (unknown, used or expired)."""
    return (
        Invitation.objects.filter(
            token_hash=_hash_token(token or ""), accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("partner", "invited_by")
        .first()
    )


def invitation_accept(*, token: str, user: Any, request: Any = None) -> Membership:
    """The invited person (logged in with the invited address) becomes a member with the invitation's roles."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(token_hash=_hash_token(token or ""))
            .select_related("partner")
            .first()
        )
        if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= timezone.now():
            raise DomainError(_("This invitation link is not valid any more. Ask for a new invitation."))
        if user.email.lower() != invitation.email.lower():
            raise DomainError(_("This invitation was sent to another e-mail address."))
        membership = _membership_grant(user=user, partner=invitation.partner, roles=invitation.roles)
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
        # The link came to this address, so the address is proven.
        EmailAddress.objects.filter(user=user, email__iexact=invitation.email).update(verified=True)
        audit_record(
            actor=user,
            action="invitation.accepted",
            obj=invitation,
            partner=invitation.partner,
            after={"email": invitation.email, "roles": membership.roles},
            request=request,
        )
        notify(
            recipients=[invitation.invited_by],
            kind="onboarding.invitation_accepted",
            params={"person": user.email, "partner": invitation.partner.name},
            partner=invitation.partner,
        )
    return membership


def invited_user_create(
    *, invitation: Invitation, first_name: str, last_name: str, password: str, language: str
) -> Any:
    """Create the account of an invited person who had none (their address is proven by the link)."""
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            email=invitation.email, password=password, first_name=first_name, last_name=last_name
        )
        UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": language})
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user
