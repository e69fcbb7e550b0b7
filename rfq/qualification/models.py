"""Supplier qualification: the categories a supplier supplies, its qualification documents (licences,
certificates) with their expiry, and which document types staff make mandatory for which categories and companies.

Suppliers see their own rows; staff see the rows of suppliers that hold an account with one of their companies;
group-wide staff see all.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.organisations.access import ScopedQuerySet

SUPPLIER_COMPANY_PATH = "partner__supplier_accounts__company"


class DocumentType(models.Model):
    """A kind of qualification document (business licence, ISO 9001 …): group-wide master data kept by staff."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    has_expiry = models.BooleanField(_("has an expiry date"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.IntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("qualification document type")
        verbose_name_plural = _("qualification document types")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if (get_language() or "").startswith("zh") or not self.name_en:
            return self.name
        return self.name_en


class QualificationRequirement(models.Model):
    """Document type X is mandatory for suppliers of category C (and its subcategories; empty: any category)
    for company K (empty: every company of the group)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document_type = models.ForeignKey(
        DocumentType, on_delete=models.PROTECT, related_name="requirements", verbose_name=_("document type")
    )
    category = models.ForeignKey(
        "catalog.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("Empty: suppliers of any category. A category includes its subcategories."),
    )
    company = models.ForeignKey(
        "organisations.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
        help_text=_("Empty: every company of the group."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager(company_path="company")

    class Meta:
        verbose_name = _("qualification requirement")
        verbose_name_plural = _("qualification requirements")
        ordering = ["document_type__sort_order", "document_type__code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "category", "company"],
                nulls_distinct=False,
                name="qualification_requirement_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_type} · {self.category or _('any category')} · {self.company or _('all companies')}"


class SuppliedCategory(models.Model):
    """An item category a supplier declares it supplies; certificates are Documents attached to this row
    (object_type "qualification.suppliedcategory")."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(
        "organisations.Partner", on_delete=models.CASCADE, related_name="+", verbose_name=_("supplier")
    )
    category = models.ForeignKey(
        "catalog.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    capacity_note = models.TextField(_("capacity"), blank=True, max_length=2000)
    declared_at = models.DateTimeField(_("declared"), auto_now_add=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager(partner_path="partner", company_path=SUPPLIER_COMPANY_PATH)

    class Meta:
        verbose_name = _("category supplied")
        verbose_name_plural = _("categories supplied")
        ordering = ["category__code"]
        constraints = [models.UniqueConstraint(fields=["partner", "category"], name="supplied_category_unique")]

    def __str__(self) -> str:
        return str(self.category)


class DocumentStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


class QualificationDocument(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(
        "organisations.Partner", on_delete=models.CASCADE, related_name="+", verbose_name=_("supplier")
    )
    document_type = models.ForeignKey(
        DocumentType, on_delete=models.PROTECT, related_name="documents", verbose_name=_("document type")
    )
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    number = models.CharField(_("number"), max_length=100)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    file = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+", verbose_name=_("file"))
    status = models.CharField(
        _("status"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.SUBMITTED
    )
    replaces = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replacements",
        verbose_name=_("replaces"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    # each reminder and the expiry event go once (the beat task may run many times a day)
    reminded_30_at = models.DateTimeField(null=True, blank=True)
    reminded_7_at = models.DateTimeField(null=True, blank=True)
    reminded_0_at = models.DateTimeField(null=True, blank=True)
    expired_emitted_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager(partner_path="partner", company_path=SUPPLIER_COMPANY_PATH)

    class Meta:
        verbose_name = _("qualification document")
        verbose_name_plural = _("qualification documents")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "document_type", "status"], name="qualdoc_partner_type_status"),
            models.Index(fields=["status", "expires_on"], name="qualdoc_status_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("issued_on")),
                name="qualdoc_expiry_after_issue",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_type} {self.number}"
