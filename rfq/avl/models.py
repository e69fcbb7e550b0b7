"""The approved vendor list (AVL, 合格供应商名录): per company (or group-wide) and item category, whether a supplier
is approved, approved with conditions, or blocked. The rules that read it live in rfq.avl.decision."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.integration.models import SyncedFromErp
from portal.organisations.access import ScopedQuerySet, scope_of


class AvlStatus(models.TextChoices):
    APPROVED = "approved", _("Approved")
    CONDITIONAL = "conditional", _("Conditional")  # may be sourced, with a visible flag
    BLOCKED = "blocked", _("Blocked")  # may not be invited to RFQs nor given new orders


class ApprovedSupplierQuerySet(ScopedQuerySet):
    def visible_to(self, actor: Any) -> ScopedQuerySet:
        """The partner's own rows; staff their companies' rows and the group-wide rows; group staff all."""
        scope = scope_of(actor)
        if scope.is_group:
            return self.all()
        condition = Q(pk__in=[])
        if scope.partner_ids:
            condition |= Q(partner_id__in=scope.partner_ids)
        if scope.company_ids:
            condition |= Q(company_id__in=scope.company_ids) | Q(company__isnull=True)
        return self.filter(condition)


class ApprovedSupplier(SyncedFromErp):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "organisations.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
        help_text=_("Empty: the entry holds for every company of the group."),
    )
    category = models.ForeignKey(
        "catalog.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("item category")
    )
    partner = models.ForeignKey(
        "organisations.Partner", on_delete=models.PROTECT, related_name="avl_entries", verbose_name=_("supplier")
    )
    status = models.CharField(_("status"), max_length=16, choices=AvlStatus.choices)
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("The last day the entry holds; empty: no end.")
    )
    reason = models.TextField(_("reason"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ApprovedSupplierQuerySet.as_manager(partner_path="partner", company_path="company")

    class Meta:
        verbose_name = _("approved vendor list entry")
        verbose_name_plural = _("approved vendor list")
        ordering = ["partner__name", "category__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "category", "partner"],
                condition=Q(company__isnull=False),
                name="avl_unique_per_company",
            ),
            models.UniqueConstraint(
                fields=["category", "partner"],
                condition=Q(company__isnull=True),
                name="avl_unique_group",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "category"], name="avl_partner_category"),
            models.Index(fields=["status", "valid_until"], name="avl_status_valid_until"),
            models.Index(fields=["valid_until"], name="avl_valid_until"),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}/{self.category_id}/{self.company_id or '*'}: {self.status}"
