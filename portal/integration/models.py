"""The transactional outbox: business events for the ERP, written in the same transaction as the change.
Delivery (relay, signed webhooks, retries, dead letters) works from these rows; the broker only wakes it."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.organisations.access import ScopedQuerySet

from . import secrets_at_rest


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

    # Staff of a company see its events; group-wide events (no company) only group staff.
    objects = ScopedQuerySet.as_manager(company_path="company")

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


# Topic patterns of an endpoint: "*" is every topic, "partner.*" every topic that starts with "partner.".
ALL_TOPICS = "*"
SECRET_PURPOSE = "webhook-endpoint-secret"


def topic_matches(pattern: str, topic: str) -> bool:
    if pattern == ALL_TOPICS:
        return True
    if pattern.endswith(".*"):
        return topic.startswith(pattern[:-1])
    return pattern == topic


class WebhookEndpoint(models.Model):
    """A receiver of outbox events (the ERP, or another system of the group), called with signed POSTs.

    A group-wide endpoint (no company) receives every event; a company's endpoint receives the events of its
    company and the group-wide events (those without a company)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    # Fernet-encrypted (see secrets_at_rest); the plain secret is shown once, at creation or rotation.
    secret_encrypted = models.TextField(editable=False)
    topics = models.JSONField(_("topics"), default=list)
    company = models.ForeignKey(
        "organisations.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    secret_rotated_at = models.DateTimeField(_("secret rotated"), null=True, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager(company_path="company")

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def secret(self) -> str:
        return secrets_at_rest.decrypt(self.secret_encrypted, purpose=SECRET_PURPOSE)

    def set_secret(self, secret: str) -> None:
        self.secret_encrypted = secrets_at_rest.encrypt(secret, purpose=SECRET_PURPOSE)

    def receives(self, *, topic: str, company_id: int | None) -> bool:
        """Whether this endpoint is subscribed to an event of this topic and company."""
        if not self.is_active:
            return False
        if self.company_id is not None and company_id not in (None, self.company_id):
            return False
        return any(topic_matches(pattern, topic) for pattern in self.topics)


class DeliveryAttempt(models.Model):
    """One POST of one event to one endpoint, whatever its outcome (the event's delivery history)."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="delivery_attempts")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.PROTECT, related_name="attempts")
    attempted_at = models.DateTimeField(_("attempted"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    succeeded = models.BooleanField(_("succeeded"))

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["id"]
        indexes = [models.Index(fields=["event", "endpoint"], name="delivery_attempt_event")]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.status_code or self.error[:40]})"
