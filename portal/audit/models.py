"""The audit log: who did what to which object, when and from where. Rows are inserted freely; the
sealer (portal.audit.sealing) later chains them in id order with an HMAC keyed outside the database."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.organisations.access import ScopedQuerySet


class AuditEvent(models.Model):
    # Audit rows are evidence and their ids are sealed into the chain: the people and organisations they name
    # are deactivated or blocked, never deleted (PROTECT makes a deletion fail instead of breaking the chain).
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # Kept as text too, so the row still says who acted after the user is gone, and for API clients.
    actor_label = models.CharField(_("actor"), max_length=255, blank=True)
    partner = models.ForeignKey(
        "organisations.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner"),
    )
    company = models.ForeignKey(
        "organisations.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_label = models.CharField(_("object"), max_length=255, blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # Filled by the sealer: HMAC(previous seal + this row's canonical form). Empty until sealed.
    seal = models.CharField(max_length=64, blank=True, editable=False)
    # The row's place in the chain (1, 2, 3 …), set with the seal. It equals id order except for a row whose
    # transaction committed after the sealer's safety lag: that row is appended at the tail instead of being
    # left out, and the verifier walks the chain in this order.
    chain_position = models.PositiveBigIntegerField(null=True, blank=True, unique=True, editable=False)

    # Staff of a company see its events; group staff see all; partners see none (the back office only).
    objects = ScopedQuerySet.as_manager(company_path="company")

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The sealer's work list stays small however long the log grows.
            models.Index(fields=["id"], condition=Q(chain_position__isnull=True), name="audit_unsealed"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class AuditChainHead(models.Model):
    """The one row (pk 1) that the sealer locks while it extends the chain, and where the chain ends.

    It is a convenience, not a source of truth: `verify_audit` recomputes everything from the events, and
    the head published through the outbox is what someone with database access alone cannot rewrite.
    """

    SINGLETON_ID = 1

    last_event_id = models.BigIntegerField(null=True, blank=True)
    seal = models.CharField(max_length=64, blank=True)
    count = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.count} {self.seal[:12]}"
