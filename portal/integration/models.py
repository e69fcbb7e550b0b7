"""The transactional outbox: business events for the ERP, written in the same transaction as the change.
Delivery (relay, signed webhooks, retries, dead letters) works from these rows; the broker only wakes it."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # waiting for delivery (or for its next attempt)
    DELIVERED = "delivered", _("Delivered")  # every subscribed endpoint acknowledged it
    DEAD = "dead", _("Dead")  # gave up after the last attempt; holds back later events of its object
    SKIPPED = "skipped", _("Skipped")  # an operator chose not to deliver it


class OutboxEvent(models.Model):
    # The event id receivers deduplicate by.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    topic = models.CharField(_("topic"), max_length=100, db_index=True)
    company = models.ForeignKey(
        "organisations.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
    )
    # The object the event is about, so that a dead event can hold back later events of the same object.
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["object_type", "object_id"], name="outbox_object"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.uuid}"


class SyncedFromErp(models.Model):
    """Master data the ERP also keeps: the version of the ERP's copy last applied here.

    An inbound update carrying an older `source_version` (or, without versions, an older `source_updated_at`)
    than the stored one is stale and is ignored, never applied over newer data (see portal.api.upsert)."""

    source_version = models.BigIntegerField(_("source version"), null=True, blank=True, editable=False)
    source_updated_at = models.DateTimeField(_("source updated"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def is_newer_than(self, version: int | None, updated_at) -> bool:
        """True when what is stored is newer than an incoming (version, updated_at): the incoming one is stale."""
        if version is not None and self.source_version is not None:
            return self.source_version > version
        if updated_at is not None and self.source_updated_at is not None:
            return self.source_updated_at > updated_at
        return False

