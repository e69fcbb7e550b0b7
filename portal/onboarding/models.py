"""How people come in: a company registers (pending approval by a group administrator), a person asks to join a
partner that already exists (its tax id is taken), or a person is invited to a partner by e-mail."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.organisations.access import ScopedQuerySet

PARTNER_COMPANY_PATHS = ("partner__supplier_accounts__company", "partner__customer_accounts__company")


class RegistrationKind(models.TextChoices):
    SUPPLIER = "supplier", _("Supplier")
    CUSTOMER = "customer", _("Customer")


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


REGISTRATION_TRANSITIONS: dict[str, set[str]] = {
    RegistrationStatus.PENDING: {RegistrationStatus.APPROVED, RegistrationStatus.REJECTED},
    RegistrationStatus.APPROVED: set(),
    RegistrationStatus.REJECTED: set(),
}


class Registration(models.Model):
    """A company's self sign-up, with the partner it created (pending until a group administrator decides)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=RegistrationKind.choices)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("applicant")
    )
    partner = models.OneToOneField(
        "organisations.Partner", on_delete=models.PROTECT, related_name="registration", verbose_name=_("partner")
    )
    licence = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("business licence"),
    )
    contact_name = models.CharField(_("contact name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=40)
    status = models.CharField(
        _("status"), max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager(partner_path="partner", company_paths=PARTNER_COMPANY_PATHS)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.partner} ({self.get_status_display()})"


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


JOIN_REQUEST_TRANSITIONS: dict[str, set[str]] = {
    JoinRequestStatus.PENDING: {JoinRequestStatus.ACCEPTED, JoinRequestStatus.DECLINED},
    JoinRequestStatus.ACCEPTED: set(),
    JoinRequestStatus.DECLINED: set(),
}


class JoinRequest(models.Model):
    """A person who signed up with a tax id that a partner already has, asking to become its member."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests", verbose_name=_("applicant")
    )
    partner = models.ForeignKey(
        "organisations.Partner", on_delete=models.CASCADE, related_name="join_requests", verbose_name=_("partner")
    )
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=JoinRequestStatus.choices, default=JoinRequestStatus.PENDING
    )
    roles = models.JSONField(_("roles"), default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager(partner_path="partner", company_paths=PARTNER_COMPANY_PATHS)

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partner"], condition=models.Q(status="pending"), name="join_request_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.partner}"


class Invitation(models.Model):
    """An e-mail invitation to become a member of a partner with some roles. The link's token is stored hashed
    (SHA-256), used once, and expires."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(
        "organisations.Partner", on_delete=models.CASCADE, related_name="invitations", verbose_name=_("partner")
    )
    email = models.EmailField(_("e-mail address"))
    roles = models.JSONField(_("roles"), default=list)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager(partner_path="partner", company_paths=PARTNER_COMPANY_PATHS)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} → {self.partner}"
