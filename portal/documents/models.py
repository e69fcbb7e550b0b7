"""Files people upload and files the system generates (DESIGN.md §8), in one model.

A document belongs to a partner and/or a company (the access layer decides who sees it through those two),
may be linked to a business object, and is stored under a name made from its uuid: the person's file name is
kept as data only. Files are never at a public URL; they are read through `document_download`.
"""

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.organisations.access import ScopedQuerySet


class UploadKind(models.TextChoices):
    """The kinds a partner may upload in their workspace; generated documents use their own kind slugs."""

    GENERAL = "general", _("General")
    CERTIFICATE = "certificate", _("Certificate")
    CONTRACT = "contract", _("Contract")


def document_upload_to(document: "Document", filename: str) -> str:
    """documents/2026/03/<uuid>.pdf: the extension only (already checked against the allow-list)."""
    extension = os.path.splitext(filename)[1].lower()
    return f"documents/{timezone.now():%Y/%m}/{document.uuid}{extension}"


class Document(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.SlugField(_("kind"), max_length=50)
    owner_partner = models.ForeignKey(
        "organisations.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("partner"),
    )
    owner_company = models.ForeignKey(
        "organisations.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("company"),
    )
    # The business object the document belongs to (e.g. "rfq.purchaseorder" and its uuid); empty when none.
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    # What the content was sniffed to be, never what the browser claimed.
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    # Members of the owner partner, staff of the owner company, and group staff see the document.
    objects = ScopedQuerySet.as_manager(partner_path="owner_partner", company_path="owner_company")

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_partner__isnull=False) | Q(owner_company__isnull=False),
                name="document_has_owner",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="document_version_positive"),
            # A generated document retried (same kind, object and version) is the same document.
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id", "version"],
                condition=~Q(object_id=""),
                name="document_unique_per_object_version",
            ),
        ]
        indexes = [
            models.Index(fields=["owner_partner", "-created_at"], name="document_partner_recent"),
            models.Index(fields=["object_type", "object_id"], name="document_object"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def kind_label(self) -> str:
        """The translated name of an upload kind; a generated document's kind slug as it is."""
        return str(UploadKind(self.kind).label) if self.kind in UploadKind.values else self.kind
