"""A supplier's bank accounts and the guarded changes to them.

An account is either the supplier's default for every company of the group (company empty) or the account for one
company relationship. A change is requested by a supplier administrator right after a second-factor
re-authentication and takes effect only when finance staff approve it; until then the current account stays in force.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.organisations.access import ScopedQuerySet
from portal.organisations.models import currency_validator

MASK = "•••• "


def mask_account_number(number: str) -> str:
    """Only the last four characters of an account number are ever shown outside the approval page."""
    return f"{MASK}{number[-4:]}" if number else ""


class BankAccountDetails(models.Model):
    """The fields that describe one bank account (shared by the account and the change that proposes it)."""

    account_holder = models.CharField(_("account holder"), max_length=200)
    bank_name = models.CharField(_("bank"), max_length=200)
    branch = models.CharField(_("branch"), max_length=200, blank=True)
    # normalised: digits, or an IBAN in capitals, without spaces
    account_number = models.CharField(_("account number"), max_length=34)
    swift_bic = models.CharField(_("SWIFT/BIC"), max_length=11, blank=True)
    bank_code = models.CharField(_("CNAPS / bank code"), max_length=20, blank=True)
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])

    DETAIL_FIELDS = ("account_holder", "bank_name", "branch", "account_number", "swift_bic", "bank_code", "currency")

    class Meta:
        abstract = True

    @property
    def masked_account_number(self) -> str:
        return mask_account_number(self.account_number)

    def details(self) -> dict[str, str]:
        """Every field in full (for the finance approver and the ERP only)."""
        return {name: getattr(self, name) for name in self.DETAIL_FIELDS}

    def masked_details(self) -> dict[str, str]:
        """The fields with the account number masked (audit rows, the request event, the supplier's pages)."""
        return {**self.details(), "account_number": self.masked_account_number}


class SupplierBankAccount(BankAccountDetails):
    """An approved account. The current one per (supplier, company) is in force; earlier ones stay as history."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(
        "organisations.Partner", on_delete=models.PROTECT, related_name="bank_accounts", verbose_name=_("supplier")
    )
    # empty: the supplier's default account for every company that has no account of its own
    company = models.ForeignKey(
        "organisations.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
    )
    is_current = models.BooleanField(_("current"), default=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager(partner_path="partner", company_path="company")

    class Meta:
        verbose_name = _("supplier bank account")
        verbose_name_plural = _("supplier bank accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "company"],
                condition=Q(is_current=True, company__isnull=False),
                name="banking_one_current_account_per_company",
            ),
            models.UniqueConstraint(
                fields=["partner"],
                condition=Q(is_current=True, company__isnull=True),
                name="banking_one_current_default_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.masked_account_number}"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")  # requested by a supplier admin; the old account is in force
    APPROVED = "approved", _("Approved")  # finance approved: the proposed account became current
    REJECTED = "rejected", _("Rejected")  # finance refused, with a reason; nothing changed
    WITHDRAWN = "withdrawn", _("Withdrawn")  # replaced by a newer request for the same supplier and company


# The only moves a change makes; everything else is refused by the services.
TRANSITIONS: dict[str, frozenset[str]] = {
    ChangeStatus.PENDING: frozenset({ChangeStatus.APPROVED, ChangeStatus.REJECTED, ChangeStatus.WITHDRAWN}),
    ChangeStatus.APPROVED: frozenset(),
    ChangeStatus.REJECTED: frozenset(),
    ChangeStatus.WITHDRAWN: frozenset(),
}


class BankDetailsChange(BankAccountDetails):
    """A requested change of a supplier's bank account for one company (or its default), with the decision."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(
        "organisations.Partner",
        on_delete=models.PROTECT,
        related_name="bank_details_changes",
        verbose_name=_("supplier"),
    )
    company = models.ForeignKey(
        "organisations.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
    )
    status = models.CharField(_("status"), max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # the account this change created on approval
    account = models.OneToOneField(
        SupplierBankAccount, on_delete=models.PROTECT, null=True, blank=True, related_name="change"
    )

    objects = ScopedQuerySet.as_manager(partner_path="partner", company_path="company")

    class Meta:
        verbose_name = _("bank details change")
        verbose_name_plural = _("bank details changes")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "company"],
                condition=Q(status="pending", company__isnull=False),
                name="banking_one_pending_change_per_company",
            ),
            models.UniqueConstraint(
                fields=["partner"],
                condition=Q(status="pending", company__isnull=True),
                name="banking_one_pending_default_change",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"], name="banking_change_status_idx")]

    def __str__(self) -> str:
        return f"{self.partner} → {self.bank_name} {self.masked_account_number}"
